"""The inbox over JSON: one's own messages, newest first, and marking them read.

Someone else's message answers 404, as if it were not there.
"""

from ninja import Router

from kuihua.core.api_support import error_responses, paginated
from kuihua.notifications import services
from kuihua.notifications.schemas import MessageOut, UnreadOut
from kuihua.notifications.selectors import access_message, messages_visible_to, unread_count

router = Router(tags=["inbox"])


@router.get(
    "",
    response={200: list[MessageOut], **error_responses(403, 422)},
    summary="My messages (newest first; ?unread=true for unread only)",
)
@paginated
def list_messages(request, unread: bool = False):
    messages = messages_visible_to(request.user)
    if unread:
        messages = messages.filter(read_at__isnull=True)
    return messages


@router.get(
    "/unread",
    response={200: UnreadOut, **error_responses(403)},
    summary="How many of my messages are unread",
)
def count_unread(request):
    return {"unread": unread_count(request.user)}


@router.post(
    "/{int:message_id}/read",
    response={200: MessageOut, **error_responses(404)},
    summary="Mark one of my messages read",
)
def mark_read(request, message_id: int):
    message = access_message(request.user, message_id)
    return services.message_mark_read(user=request.user, message=message)


@router.post(
    "/read-all",
    response={200: UnreadOut, **error_responses(403)},
    summary="Mark all my messages read",
)
def mark_all_read(request):
    services.messages_mark_all_read(user=request.user)
    return {"unread": unread_count(request.user)}
