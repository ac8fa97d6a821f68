"""The signed-in user and their API tokens.

A token is issued only to a browser session (a token cannot mint tokens), its
plain value is returned once, and a user sees and revokes only their own.
"""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from kuihua.accounts.auth import session_only
from kuihua.accounts.models import ApiToken
from kuihua.accounts.schemas import MeOut, TokenIn, TokenIssuedOut, TokenOut
from kuihua.accounts.services import api_token_issue, api_token_revoke
from kuihua.core.api_support import error_responses, paginated

router = Router(tags=["accounts"])


def _own_tokens(user):
    return ApiToken.objects.filter(user=user)


@router.get("/me", response={200: MeOut, **error_responses()}, summary="The signed-in user")
def me(request):
    return request.user


@router.post(
    "/auth/tokens",
    auth=session_only,
    response={201: TokenIssuedOut, **error_responses(403, 422)},
    summary="Issue an API token (session only)",
)
def issue_token(request, payload: TokenIn):
    token, plain = api_token_issue(user=request.user, name=payload.name)
    token.token = plain
    return Status(201, token)


@router.get(
    "/auth/tokens",
    response={200: list[TokenOut], **error_responses(422)},
    summary="Your API tokens",
)
@paginated
def list_tokens(request):
    return _own_tokens(request.user).order_by("-created_at", "-id")


@router.delete(
    "/auth/tokens/{int:token_id}",
    response={204: None, **error_responses(404)},
    summary="Revoke one of your API tokens",
)
def revoke_token(request, token_id: int):
    api_token_revoke(token=get_object_or_404(_own_tokens(request.user), pk=token_id))
    return Status(204, None)
