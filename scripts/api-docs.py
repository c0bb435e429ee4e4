#!/usr/bin/env python3
"""Writes API_DOCUMENTATION.md (English) and API_DOCUMENTATION.ru.md (Russian)
with request and response examples produced by a real server.

Usage: scripts/api-docs.py [--url http://127.0.0.1:8000]
Run it against a fresh server with rate limits off (the examples register
several users from one address), e.g.
  LOGIN_RATE=off REGISTER_RATE=off REACTION_RATE=off build/release/server/messenger-server --data-dir /tmp/docs-data
Needs Debian's python3-websockets."""
import argparse, asyncio, base64, json, os, sys, time, urllib.parse, urllib.request, urllib.error, uuid

import websockets

parser = argparse.ArgumentParser()
parser.add_argument("--url", default="http://127.0.0.1:8000")
args = parser.parse_args()
BASE = args.url.rstrip("/")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EX = {}  # name -> markdown snippet


def call(method, path, body=None, token=None, raw=None, content_type="application/json", headers=None):
    """The status, headers and answer: parsed JSON, the bytes of anything else
    (a download), or None when there is no body."""
    data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request) as response:
            status, answer_headers, content = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, content = error.code, error.headers, error.read()
    if not content:
        return status, answer_headers, None
    if "json" in answer_headers.get("Content-Type", ""):
        return status, answer_headers, json.loads(content.decode())
    return status, answer_headers, content


def shorten(value):
    """Long tokens cut for reading; everything else as the server sent it."""
    if isinstance(value, dict):
        return {k: (v[:24] + "…" if k in ("access_token", "refresh_token", "token") and isinstance(v, str) else shorten(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [shorten(v) for v in value[:3]] + (["…"] if len(value) > 3 else [])
    return value


# The answer headers an example shows when the server sends them; the ones
# that describe a body only for files (downloads) and tus answers.
SHOWN_HEADERS = ("Location", "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size", "Messenger-Max-Chunk-Size",
                 "Upload-Offset", "Upload-Length", "Upload-Expires", "WWW-Authenticate", "Retry-After")
FILE_HEADERS = ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Content-Disposition",
                "X-Content-Type-Options", "Content-Security-Policy")


def bytes_summary(content):
    """A body of bytes as the examples show it: short text as it is, anything else by its size."""
    try:
        text = content.decode()
        if len(text) <= 200 and text.isprintable():
            return text
    except UnicodeDecodeError:
        pass
    return f"<{len(content)} bytes>"


def record(name, method, path, body=None, token=None, headers=None, **kw):
    status, answer_headers, parsed = call(method, path, body, token, headers=headers, **kw)
    lines = [f"{method} {path}"]
    if token:
        lines.append("Authorization: Bearer <access_token>")
    for header, value in (headers or {}).items():
        lines.append(f"{header}: {value}")
    if kw.get("raw") is not None:
        if kw.get("content_type", "application/json") != "application/json":
            lines.append(f"Content-Type: {kw['content_type']}")
        lines.append("")
        lines.append(bytes_summary(kw["raw"]))
    elif body is not None:
        lines.append("")
        lines.append(json.dumps(body, ensure_ascii=False, indent=2))
    reason = {200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content", 304: "Not Modified", 400: "Bad Request",
              401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 412: "Precondition Failed",
              413: "Content Too Large", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
              422: "Unprocessable Entity", 429: "Too Many Requests"}.get(status, "")
    answer = [f"HTTP/1.1 {status} {reason}"]
    is_file = answer_headers.get("Content-Disposition") is not None
    is_tus = answer_headers.get("Tus-Resumable") is not None
    for header in (FILE_HEADERS if is_file else ()) + SHOWN_HEADERS + (("Cache-Control",) if is_file or is_tus else ()):
        if answer_headers.get(header):
            answer.append(f"{header}: {answer_headers.get(header)}")
    if isinstance(parsed, bytes):
        answer.append("")
        answer.append(bytes_summary(parsed))
    elif parsed is not None:
        answer.append("")
        answer.append(json.dumps(shorten(parsed), ensure_ascii=False, indent=2))
    EX[name] = "```http\n" + "\n".join(lines) + "\n```\n\n```http\n" + "\n".join(answer) + "\n```"
    return status, parsed


def session_of(access_token):
    """The `sid` claim: the session an access token belongs to."""
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"]


def frames(name, items):
    EX[name] = "```json\n" + "\n".join(("→ " if sent else "← ") + json.dumps(shorten(frame), ensure_ascii=False) for sent, frame in items) + "\n```"


# --- the scenario -----------------------------------------------------------
run = uuid.uuid4().hex[:6]
alice_email, bob_email, carol_email = (f"{n}.{run}@example.com" for n in ("alice", "bob", "carol"))
record("register", "POST", "/api/v1/auth/register", {"email": alice_email, "name": "Alice", "password": "correct horse"})
record("register_taken", "POST", "/api/v1/auth/register", {"email": alice_email, "name": "Alice", "password": "correct horse"})
record("register_invalid", "POST", "/api/v1/auth/register", {"email": "not-an-email", "name": "", "password": "short"})
bob = call("POST", "/api/v1/auth/register", {"email": bob_email, "name": "Bob", "password": "battery staple"})[2]
carol = call("POST", "/api/v1/auth/register", {"email": carol_email, "name": "Carol", "password": "tr0ub4dor&3"})[2]
_, tokens = record("login", "POST", "/api/v1/auth/token", {"email": alice_email, "password": "correct horse", "device_name": "Alice's laptop"})
record("login_wrong", "POST", "/api/v1/auth/token", {"email": alice_email, "password": "wrong"})
record("login_form", "POST", "/api/v1/auth/token", raw=b"username=alice&password=x", content_type="application/x-www-form-urlencoded")
_, tokens = record("refresh", "POST", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
A = tokens["access_token"]
# Another device of Alice's, and a refresh token reused after its successor was used.
phone = call("POST", "/api/v1/auth/token", {"email": alice_email, "password": "correct horse", "device_name": "Alice's phone"})[2]
P = phone["access_token"]
stolen = call("POST", "/api/v1/auth/token", {"email": alice_email, "password": "correct horse"})[2]["refresh_token"]
rotated = call("POST", "/api/v1/auth/refresh", {"refresh_token": stolen})[2]["refresh_token"]
call("POST", "/api/v1/auth/refresh", {"refresh_token": rotated})
record("refresh_reused", "POST", "/api/v1/auth/refresh", {"refresh_token": stolen})
record("sessions", "GET", "/api/v1/sessions", token=A)
B = call("POST", "/api/v1/auth/token", {"email": bob_email, "password": "battery staple"})[2]["access_token"]
C = call("POST", "/api/v1/auth/token", {"email": carol_email, "password": "tr0ub4dor&3"})[2]["access_token"]
record("no_token", "GET", "/api/v1/users/me")
record("me", "GET", "/api/v1/users/me", token=A)
record("search", "GET", "/api/v1/users?query=bob&limit=5", token=A)
record("search_short", "GET", "/api/v1/users?query=b", token=A)
_, personal = record("personal", "POST", "/api/v1/chats/personal", {"type": "personal", "member_ids": [bob["id"]]}, A)
_, group = record("group", "POST", "/api/v1/chats/group", {"name": "Team", "type": "group", "member_ids": [bob["id"]]}, A)
before_changes = call("GET", "/api/v1/updates?since_seq=0&limit=1000", token=B)[2]["last_seq"]
record("rename", "PATCH", f"/api/v1/chats/{group['id']}", {"name": "Core team"}, A)
record("add_members", "POST", f"/api/v1/chats/{group['id']}/members", {"user_ids": [carol["id"]]}, A)
# /updates serves what the feed has delivered: wait until both changes are there.
for _ in range(50):
    changes = call("GET", f"/api/v1/updates?since_seq={before_changes}", token=B)[2]["events"]
    if len(changes) >= 2:
        break
    time.sleep(0.1)
record("group_events", "GET", f"/api/v1/updates?since_seq={before_changes}", token=B)
client_id = str(uuid.uuid4())
_, message = record("send", "POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": "Привет, Bob! 👋", "client_id": client_id}, A)
record("send_again", "POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": "Привет, Bob! 👋", "client_id": client_id}, A)
record("send_not_member", "POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": "hi"}, C)
record("send_empty", "POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": "   "}, A)
record("send_nul", "POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": "a\u0000b"}, A)
record("send_reply", "POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": "И тебе привет!", "reply_to_id": message["id"]}, B)
record("send_reply_missing", "POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": "?", "reply_to_id": str(uuid.uuid4())}, B)
record("send_mention", "POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": "@Bob, look", "mentions": [bob["id"]]}, A)
for i in range(3):
    call("POST", "/api/v1/chats/messages", {"chat_id": personal["id"], "text": f"message {i + 2}"}, token=B if i % 2 == 0 else A)
record("chats", "GET", "/api/v1/chats", token=B)
record("with_last", "GET", "/api/v1/chats/with-last-message", token=B)
record("chat", "GET", f"/api/v1/chats/{personal['id']}", token=B)
record("chat_forbidden", "GET", f"/api/v1/chats/{personal['id']}", token=C)
record("history", "GET", f"/api/v1/chats/{personal['id']}/history?limit=2&offset=0", token=B)
record("history_keyset", "GET", f"/api/v1/chats/{personal['id']}/history?before_seq={message['seq'] + 2}&limit=2", token=B)
record("history_after", "GET", f"/api/v1/chats/{personal['id']}/history?after_seq={message['seq']}&limit=2", token=B)
record("history_around", "GET", f"/api/v1/chats/{personal['id']}/history?around_seq={message['seq'] + 2}&limit=3", token=B)
record("history_conflict", "GET", f"/api/v1/chats/{personal['id']}/history?before_seq=100&after_seq=1", token=B)
record("read_message", "POST", f"/api/v1/chats/messages/{message['id']}/read", token=B)
last = call("GET", f"/api/v1/chats/{personal['id']}/history?limit=1", token=B)[2]["messages"][0]
record("read_chat", "POST", f"/api/v1/chats/{personal['id']}/read", {"message_id": last["id"]}, B)
record("search_messages", "GET", "/api/v1/search/messages?q=" + urllib.parse.quote("прив") + "&limit=1", token=B)
record("search_messages_chat", "GET", f"/api/v1/search/messages?q=bob&chat_id={personal['id']}", token=A)
record("search_messages_empty", "GET", "/api/v1/search/messages?q=%20", token=B)
THUMBS_UP = "%F0%9F%91%8D"  # 👍, percent-encoded UTF-8
record("react", "PUT", f"/api/v1/chats/messages/{message['id']}/reactions/{THUMBS_UP}", token=B)
record("react_invalid", "PUT", f"/api/v1/chats/messages/{message['id']}/reactions/ok", token=B)
record("react_not_member", "PUT", f"/api/v1/chats/messages/{message['id']}/reactions/{THUMBS_UP}", token=C)
record("unreact", "DELETE", f"/api/v1/chats/messages/{message['id']}/reactions/{THUMBS_UP}", token=B)
_, forwarded = record("forward", "POST", "/api/v1/chats/messages/forward", {"message_ids": [message["id"], last["id"]], "chat_ids": [group["id"]], "client_id": str(uuid.uuid4())}, A)
record("forward_twice", "POST", "/api/v1/chats/messages/forward", {"message_ids": [message["id"], message["id"]], "chat_ids": [group["id"]]}, A)
record("forward_not_member", "POST", "/api/v1/chats/messages/forward", {"message_ids": [message["id"]], "chat_ids": [group["id"]]}, C)
record("pin", "PUT", f"/api/v1/chats/{group['id']}/pin", {"message_id": forwarded["messages"][0]["id"]}, A)
record("pin_not_owner", "PUT", f"/api/v1/chats/{group['id']}/pin", {"message_id": forwarded["messages"][1]["id"]}, B)
record("pin_other_chat", "PUT", f"/api/v1/chats/{group['id']}/pin", {"message_id": message["id"]}, A)
record("unpin", "DELETE", f"/api/v1/chats/{group['id']}/pin", token=A)
before_settings = call("GET", "/api/v1/updates?since_seq=0&limit=1000", token=A)[2]["last_seq"]
record("settings_mute", "PATCH", f"/api/v1/chats/{group['id']}/settings", {"muted_until": 253402300799, "pinned": True}, A)
record("settings_archive", "PATCH", f"/api/v1/chats/{personal['id']}/settings", {"archived": True, "pinned": True, "marked_unread": True}, A)
record("settings_bad", "PATCH", f"/api/v1/chats/{personal['id']}/settings", {"muted_until": -1}, A)
record("settings_not_member", "PATCH", f"/api/v1/chats/{personal['id']}/settings", {"pinned": True}, C)
record("pinned_reorder", "PUT", "/api/v1/chats/pinned", {"chat_ids": [personal["id"], group["id"]]}, A)
record("pinned_mismatch", "PUT", "/api/v1/chats/pinned", {"chat_ids": [group["id"]]}, A)
for _ in range(50):
    if len(call("GET", f"/api/v1/updates?since_seq={before_settings}", token=A)[2]["events"]) >= 4:
        break
    time.sleep(0.1)
record("settings_events", "GET", f"/api/v1/updates?since_seq={before_settings}&limit=2", token=A)
record("settings_in_chat", "GET", f"/api/v1/chats/{personal['id']}", token=A)
record("edit", "PATCH", f"/api/v1/messages/{message['id']}", {"text": "Привет, Bob!"}, A)
record("edit_not_mine", "PATCH", f"/api/v1/messages/{message['id']}", {"text": "hacked"}, B)
record("delete", "DELETE", f"/api/v1/messages/{message['id']}", token=A)
record("remove_member", "DELETE", f"/api/v1/chats/{group['id']}/members/{carol['id']}", token=A)
record("updates", "GET", f"/api/v1/updates?since_seq={message['seq']}&limit=3", token=B)
record("updates_beyond", "GET", "/api/v1/updates?since_seq=999999999", token=B)
record("health", "GET", "/health")


async def sockets():
    ws_base = BASE.replace("http", "ws", 1)
    async with websockets.connect(f"{ws_base}/ws/user?token={B}") as bob_socket, \
            websockets.connect(f"{ws_base}/ws/user?token={A}") as alice_socket:
        bob_greeting = json.loads(await bob_socket.recv())
        json.loads(await alice_socket.recv())
        send = {"type": "send", "chat_id": personal["id"], "text": "Over the socket", "client_id": str(uuid.uuid4())}
        await alice_socket.send(json.dumps(send))
        # Presence frames (the other one came online) may come first.
        ack = json.loads(await alice_socket.recv())
        while ack.get("type") != "ack":
            ack = json.loads(await alice_socket.recv())
        bob_event = json.loads(await bob_socket.recv())
        while bob_event.get("type") != "message":
            bob_event = json.loads(await bob_socket.recv())
        typing = {"type": "typing", "chat_id": personal["id"]}
        await bob_socket.send(json.dumps(typing))
        typing_event = json.loads(await alice_socket.recv())
        while typing_event.get("type") != "typing":
            typing_event = json.loads(await alice_socket.recv())
        read = {"type": "read", "chat_id": personal["id"], "message_id": ack["data"]["id"]}
        await bob_socket.send(json.dumps(read))
        read_event = json.loads(await alice_socket.recv())
        while read_event.get("type") != "read":
            read_event = json.loads(await alice_socket.recv())
        await bob_socket.send(json.dumps({"type": "ping"}))
        pong = json.loads(await bob_socket.recv())
        while pong.get("type") != "pong":
            pong = json.loads(await bob_socket.recv())
        bad = {"type": "send", "chat_id": personal["id"], "text": "", "client_id": str(uuid.uuid4())}
        await bob_socket.send(json.dumps(bad))
        error = json.loads(await bob_socket.recv())
        frames("ws_user", [(False, bob_greeting), (True, send), (False, ack), (False, bob_event)])
        frames("ws_typing_read", [(True, typing), (False, typing_event), (True, read), (False, read_event),
                                  (True, {"type": "ping"}), (False, pong), (True, bad), (False, error)])
    async with websockets.connect(f"{ws_base}/ws/user?token={B}&since_seq={ack['data']['seq'] - 1}") as resumed:
        replay = [json.loads(await resumed.recv()) for _ in range(2)]
        frames("ws_resume", [(False, replay[0]), (False, replay[1])])
    async with websockets.connect(f"{ws_base}/ws/{personal['id']}?token={B}") as seed:
        greeting = json.loads(await seed.recv())
        await seed.send(json.dumps({"text": "From the seed's socket"}))
        echo = json.loads(await seed.recv())
        frames("ws_seed", [(False, greeting), (True, {"text": "From the seed's socket"}), (False, echo)])
    async with websockets.connect(f"{ws_base}/ws/user?token={A}") as laptop, \
            websockets.connect(f"{ws_base}/ws/user?token={P}") as phone_socket:
        greeting = json.loads(await laptop.recv())
        json.loads(await phone_socket.recv())
        fresh = call("POST", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})[2]["access_token"]
        renew = {"type": "auth", "token": fresh}
        await laptop.send(json.dumps(renew))
        renewed = json.loads(await laptop.recv())
        frames("ws_auth", [(False, greeting), (True, renew), (False, renewed)])
        record("session_delete", "DELETE", f"/api/v1/sessions/{session_of(P)}", token=A)
        revoked = json.loads(await laptop.recv())
        while revoked.get("type") != "session_revoked":
            revoked = json.loads(await laptop.recv())
        try:
            while True:
                await phone_socket.recv()
        except websockets.ConnectionClosed as closed:
            frames("ws_revoked", [(False, revoked)])
            EX["ws_revoked"] += f"\n\n`close {closed.code} {closed.reason}`"
    async with websockets.connect(f"{ws_base}/ws/user?token=not-a-token") as refused:
        message = json.loads(await refused.recv())
        try:
            await refused.recv()
        except websockets.ConnectionClosed as closed:
            frames("ws_refused", [(False, message)])
            EX["ws_refused"] += f"\n\n`close {closed.code}`"

asyncio.run(sockets())

# --- the profile: a user of its own, so that the examples above keep their names
# and sessions.
dana_email = f"dana.{run}@example.com"
call("POST", "/api/v1/auth/register", {"email": dana_email, "name": "Dana", "password": "dana's password"})
D = call("POST", "/api/v1/auth/token", {"email": dana_email, "password": "dana's password", "device_name": "Dana's laptop"})[2]["access_token"]
call("POST", "/api/v1/auth/token", {"email": dana_email, "password": "dana's password", "device_name": "Dana's phone"})
dana_id = call("GET", "/api/v1/users/me", token=D)[2]["id"]
call("POST", "/api/v1/chats/personal", {"type": "personal", "member_ids": [dana_id]}, B)
before_rename = call("GET", "/api/v1/updates?since_seq=0&limit=1000", token=B)[2]["last_seq"]
record("rename_me", "PATCH", "/api/v1/users/me", {"name": "Dana Scully"}, D)
record("rename_me_invalid", "PATCH", "/api/v1/users/me", {"name": "   "}, D)
for _ in range(50):
    if call("GET", f"/api/v1/updates?since_seq={before_rename}", token=B)[2]["events"]:
        break
    time.sleep(0.1)
record("user_updated", "GET", f"/api/v1/updates?since_seq={before_rename}", token=B)
record("password_wrong", "POST", "/api/v1/users/me/password", {"current_password": "not my password", "new_password": "dana's new password"}, D)
record("password", "POST", "/api/v1/users/me/password", {"current_password": "dana's password", "new_password": "dana's new password"}, D)
call("POST", "/api/v1/auth/token", {"email": dana_email, "password": "dana's new password", "device_name": "Dana's tablet"})
record("revoke_others", "POST", "/api/v1/sessions/revoke-others", token=D)

# --- presence: users of their own, so that the examples above keep their frames.
erin_email, frank_email = f"erin.{run}@example.com", f"frank.{run}@example.com"
for email, name in ((erin_email, "Erin"), (frank_email, "Frank")):
    call("POST", "/api/v1/auth/register", {"email": email, "name": name, "password": "correct horse"})
E = call("POST", "/api/v1/auth/token", {"email": erin_email, "password": "correct horse"})[2]["access_token"]
F = call("POST", "/api/v1/auth/token", {"email": frank_email, "password": "correct horse"})[2]["access_token"]
frank_id = call("GET", "/api/v1/users/me", token=F)[2]["id"]
call("POST", "/api/v1/chats/personal", {"type": "personal", "member_ids": [frank_id]}, E)


async def presence_frames():
    ws_base = BASE.replace("http", "ws", 1)
    async with websockets.connect(f"{ws_base}/ws/user?token={E}") as erin_socket:
        json.loads(await erin_socket.recv())
        async with websockets.connect(f"{ws_base}/ws/user?token={F}") as frank_socket:
            json.loads(await frank_socket.recv())
            event = json.loads(await erin_socket.recv())
            while event.get("type") != "presence":
                event = json.loads(await erin_socket.recv())
            frames("ws_presence", [(False, event)])
            record("presence", "GET", f"/api/v1/presence?user_ids={frank_id},{uuid.uuid4()}", token=E)

asyncio.run(presence_frames())
record("presence_invalid", "GET", "/api/v1/presence?user_ids=frank", token=E)
record("privacy_set", "PUT", "/api/v1/users/me/privacy", {"presence_visible": "nobody"}, F)
record("privacy_invalid", "PUT", "/api/v1/users/me/privacy", {"presence_visible": "friends"}, F)
record("privacy", "GET", "/api/v1/users/me/privacy", token=F)
record("presence_hidden", "GET", f"/api/v1/presence?user_ids={frank_id}", token=E)

# --- files: users of their own, so that the examples above keep their chats.
def png_image(width, height, texts):
    """A PNG (an RGB gradient) with tEXt chunks, from the standard library only."""
    import struct, zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 160)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + b"".join(chunk(b"tEXt", k.encode() + b"\x00" + v.encode()) for k, v in texts)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def metadata(**values):
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


grace_email, hank_email, ivy_email = (f"{n}.{run}@example.com" for n in ("grace", "hank", "ivy"))
for email, name in ((grace_email, "Grace"), (hank_email, "Hank"), (ivy_email, "Ivy")):
    call("POST", "/api/v1/auth/register", {"email": email, "name": name, "password": "correct horse"})
G = call("POST", "/api/v1/auth/token", {"email": grace_email, "password": "correct horse"})[2]["access_token"]
H = call("POST", "/api/v1/auth/token", {"email": hank_email, "password": "correct horse"})[2]["access_token"]
I = call("POST", "/api/v1/auth/token", {"email": ivy_email, "password": "correct horse"})[2]["access_token"]
hank_id = call("GET", "/api/v1/users/me", token=H)[2]["id"]
files_chat = call("POST", "/api/v1/chats/personal", {"type": "personal", "member_ids": [hank_id]}, G)[2]
TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = 1024 * 1024
log = "".join(f"2026-12-01T02:{i // 60 % 60:02d}:{i % 60:02d}Z INFO request {i} served in {i % 97} ms\n" for i in range(30000)).encode()
record("files_options", "OPTIONS", "/api/v1/uploads")
_, log_upload = record("files_create", "POST", "/api/v1/uploads", token=G,
                       headers=dict(TUS, **{"Upload-Length": str(len(log)), "Upload-Metadata": metadata(filename="server.log", filetype="text/plain")}))
log_path = f"/api/v1/uploads/{log_upload['id']}"
record("files_patch", "PATCH", log_path, token=G, headers=dict(TUS, **{"Upload-Offset": "0"}),
       raw=log[:CHUNK], content_type="application/offset+octet-stream")
# The connection drops here; the client asks where to go on, then sends the rest.
record("files_head", "HEAD", log_path, token=G, headers=TUS)
record("files_offset_mismatch", "PATCH", log_path, token=G, headers=dict(TUS, **{"Upload-Offset": "0"}),
       raw=log[:CHUNK], content_type="application/offset+octet-stream")
record("files_patch_last", "PATCH", log_path, token=G, headers=dict(TUS, **{"Upload-Offset": str(CHUNK)}),
       raw=log[CHUNK:], content_type="application/offset+octet-stream")
record("files_upload", "GET", log_path, token=G)
record("files_no_version", "POST", "/api/v1/uploads", token=G, headers={"Upload-Length": "10"})
photo = png_image(640, 480, [("Comment", "GPS 55.7558 37.6173"), ("Software", "Camera 1.0")])
photo_upload = call("POST", "/api/v1/uploads", token=G,
                    headers=dict(TUS, **{"Upload-Length": str(len(photo)), "Upload-Metadata": metadata(filename="whiteboard.png")}))[2]
call("PATCH", f"/api/v1/uploads/{photo_upload['id']}", token=G, headers=dict(TUS, **{"Upload-Offset": "0"}),
     raw=photo, content_type="application/offset+octet-stream")
_, sent = record("files_send", "POST", "/api/v1/chats/messages",
                 {"chat_id": files_chat["id"], "text": "The log and the whiteboard", "attachment_ids": [log_upload["id"], photo_upload["id"]]}, G)
record("files_send_foreign", "POST", "/api/v1/chats/messages", {"chat_id": files_chat["id"], "attachment_ids": [photo_upload["id"]]}, H)
log_file = sent["attachments"][0]
_, _ = record("files_range", "GET", log_file["url"], token=H, headers={"Range": "bytes=0-99"})
etag = call("HEAD", log_file["url"], token=H)[1]["ETag"]
record("files_not_modified", "GET", log_file["url"], token=H, headers={"If-None-Match": etag})
record("files_image_head", "HEAD", sent["attachments"][1]["url"], token=H)
record("files_thumbnail", "GET", sent["attachments"][1]["thumbnail_url"], token=H)
record("files_not_member", "GET", log_file["url"], token=I)
_, link = record("files_link", "GET", f"/api/v1/files/{photo_upload['id']}/link", token=H)
record("files_link_use", "HEAD", link["url"])
record("files_delete_attached", "DELETE", f"/api/v1/uploads/{photo_upload['id']}", token=G, headers=TUS)

# --- profile and group photos, from Grace's uploads
since_photos = call("GET", "/api/v1/updates?since_seq=0&limit=1", token=H)[2]["last_seq"]
portrait = png_image(900, 600, [("Comment", "GPS 55.7558 37.6173")])
portrait_upload = call("POST", "/api/v1/uploads", token=G,
                       headers=dict(TUS, **{"Upload-Length": str(len(portrait)), "Upload-Metadata": metadata(filename="portrait.png")}))[2]
call("PATCH", f"/api/v1/uploads/{portrait_upload['id']}", token=G, headers=dict(TUS, **{"Upload-Offset": "0"}),
     raw=portrait, content_type="application/offset+octet-stream")
_, grace_with_photo = record("avatar_set", "PUT", "/api/v1/users/me/avatar", {"upload_id": portrait_upload["id"]}, G)
record("avatar_download", "HEAD", grace_with_photo["avatar_url"] + "/thumbnail", token=I)
record("avatar_not_image", "PUT", "/api/v1/users/me/avatar", {"upload_id": log_upload["id"]}, G)
record("avatar_not_yours", "PUT", "/api/v1/users/me/avatar", {"upload_id": portrait_upload["id"]}, H)
photo_group = call("POST", "/api/v1/chats/group", {"name": "Whiteboard", "type": "group", "member_ids": [hank_id]}, G)[2]
record("chat_avatar_set", "PUT", f"/api/v1/chats/{photo_group['id']}/avatar", {"upload_id": portrait_upload["id"]}, G)
record("chat_avatar_not_owner", "PUT", f"/api/v1/chats/{photo_group['id']}/avatar", {"upload_id": portrait_upload["id"]}, H)
record("chat_avatar_remove", "DELETE", f"/api/v1/chats/{photo_group['id']}/avatar", token=G)
record("avatar_remove", "DELETE", "/api/v1/users/me/avatar", token=G)
photo_events = [event for event in call("GET", f"/api/v1/updates?since_seq={since_photos}", token=H)[2]["events"]
                if event["type"] in ("user_updated", "chat_updated")]
frames("avatar_events", [(False, event) for event in photo_events])

# --- the documents ------------------------------------------------------------
# Every `code` an error body or a WebSocket error frame can carry (the ErrorCode
# schema's enum in openapi.json and asyncapi.json; tst_openapi checks that both
# tables list every one of them).
CODES = [
    ("ambiguous_framing", 400, "a request framed two ways (`Content-Length` with `Transfer-Encoding`, two `Content-Length`s); the connection is then closed",
     "запрос с двоякой длиной (`Content-Length` вместе с `Transfer-Encoding`, два `Content-Length`); затем соединение закрывается"),
    ("email_taken", 400, "registering an email that is registered already", "регистрация на уже занятый email"),
    ("malformed_json", 400, "a body that is not valid JSON, or a WebSocket frame that is not a JSON object", "тело — неверный JSON, или кадр WebSocket — не JSON-объект"),
    ("personal_chat", 400, "renaming a personal chat, giving it a photo, or adding or removing its members", "переименование личного чата, установка его фото, добавление или удаление его участников"),
    ("defer_length_unsupported", 400, "creating an upload with `Upload-Defer-Length`: the length must be known", "создание загрузки с `Upload-Defer-Length`: длина должна быть известна сразу"),
    ("invalid_upload_length", 400, "creating an upload without `Upload-Length`, or with one that is not a whole number", "создание загрузки без `Upload-Length` или с нецелым значением"),
    ("invalid_upload_metadata", 400, "`Upload-Metadata` that is not comma-separated keys with base64 values", "`Upload-Metadata` — не список ключей со значениями в base64 через запятую"),
    ("invalid_upload_offset", 400, "a `PATCH` without `Upload-Offset`, or with one that is not a whole number", "`PATCH` без `Upload-Offset` или с нецелым значением"),
    ("upload_length_exceeded", 400, "a piece that would pass the upload's `Upload-Length` (nothing of it is stored)", "кусок выходит за `Upload-Length` загрузки (из него ничего не сохраняется)"),
    ("invalid_credentials", 401, "wrong email or password", "неверный email или пароль"),
    ("invalid_refresh_token", 401, "an unknown, expired or revoked refresh token", "неизвестный, истёкший или отозванный refresh-токен"),
    ("invalid_token", 401, "an invalid or expired access token, or one of an unknown user", "неверный или истёкший access-токен, или токен неизвестного пользователя"),
    ("not_authenticated", 401, "no `Authorization: Bearer` token", "нет токена `Authorization: Bearer`"),
    ("refresh_token_reused", 401, "an old refresh token used again: its session ended", "старый refresh-токен использован повторно: его сессия завершена"),
    ("session_revoked", 401, "a token of an ended session", "токен завершённой сессии"),
    ("invalid_link", 401, "a signed file link whose signature does not match, or that expired", "подписанная ссылка на файл с неверной подписью или истёкшая"),
    ("not_a_member", 403, "a chat you are not in", "чат, в котором вас нет"),
    ("not_chat_owner", 403, "a group change only its owner may make", "изменение группы, доступное только владельцу"),
    ("not_message_sender", 403, "editing or deleting someone else's message", "правка или удаление чужого сообщения"),
    ("account_disabled", 403, "logging in (with the right password) to an account an administrator disabled", "вход (с верным паролем) в учётную запись, отключённую администратором"),
    ("registration_closed", 403, "registering while `REGISTRATION=closed`: accounts are made by the administrator", "регистрация при `REGISTRATION=closed`: учётные записи создаёт администратор"),
    ("invite_required", 403, "registering without `invite_code` while `REGISTRATION=invite`", "регистрация без `invite_code` при `REGISTRATION=invite`"),
    ("invalid_invite", 403, "an `invite_code` that is unknown, expired, revoked or used up", "`invite_code` неизвестен, истёк, отозван или исчерпан"),
    ("wrong_password", 403, "changing the password with a wrong current password (counts as a failed login)", "смена пароля с неверным текущим паролем (считается неудачным входом)"),
    ("chat_not_found", 404, "no such chat", "такого чата нет"),
    ("member_not_found", 404, "removing someone who is not a member", "удаление того, кто не участник"),
    ("message_not_found", 404, "no such message, or one of a chat you are not in", "такого сообщения нет, или оно из чата, в котором вас нет"),
    ("reply_target_not_found", 404, "`reply_to_id` names no message of this chat (missing, or of another chat: answered alike)",
     "`reply_to_id` не указывает на сообщение этого чата (его нет, или оно из другого чата: ответ одинаков)"),
    ("not_found", 404, "no such path", "такого пути нет"),
    ("session_not_found", 404, "no such session of yours (or it ended)", "такой вашей сессии нет (или она завершена)"),
    ("user_not_found", 404, "no such user", "такого пользователя нет"),
    ("upload_not_found", 404, "no upload of yours with this id (someone else's, expired or removed; for a photo also one still missing bytes)",
     "вашей загрузки с таким id нет (она чужая, истекла или удалена; для фото — и ещё не законченная)"),
    ("file_not_found", 404, "no file you may see: unknown, expired, deleted with its message, or in no chat of yours", "нет файла, доступного вам: неизвестный, истёкший, удалён вместе с сообщением или не из ваших чатов"),
    ("thumbnail_not_found", 404, "the file has no thumbnail (it is no JPEG, PNG or GIF that decodes)", "у файла нет миниатюры (это не JPEG, PNG или GIF, который удаётся декодировать)"),
    ("attachment_not_found", 404, "an id of `attachment_ids` that is not one of your files (someone else's, unknown or expired)", "id из `attachment_ids` — не ваш файл (чужой, неизвестный или истёкший)"),
    ("client_id_reused", 409, "a `client_id` used before for another chat", "`client_id` уже использован для другого чата"),
    ("group_full", 409, "a group would have more than 1000 members", "в группе стало бы больше 1000 участников"),
    ("message_deleted", 409, "editing a deleted message", "правка удалённого сообщения"),
    ("reply_target_deleted", 409, "replying to a deleted message", "ответ на удалённое сообщение"),
    ("reaction_limit_reached", 409, "a 21st different emoji on one message", "21-й разный эмодзи на одном сообщении"),
    ("pinned_chats_limit", 409, "pinning a 6th chat", "закрепление 6-го чата"),
    ("offset_mismatch", 409, "a `PATCH` whose `Upload-Offset` is not the bytes received so far: `HEAD`, then send from there", "`PATCH` с `Upload-Offset`, не равным числу уже полученных байтов: `HEAD`, затем продолжайте с него"),
    ("upload_complete", 409, "a `PATCH` of an upload that has all its bytes", "`PATCH` загрузки, все байты которой уже получены"),
    ("upload_incomplete", 409, "an id of `attachment_ids` that names an upload still missing bytes", "id из `attachment_ids` — загрузка, которой ещё не хватает байтов"),
    ("file_attached", 409, "deleting (tus termination) a file a message carries, or a profile or group photo's file: delete the message, or remove the photo, instead",
     "удаление (tus termination) файла, который несёт сообщение, или файла фото профиля или группы: удалите сообщение или уберите фото"),
    ("tus_version_unsupported", 412, "a tus request without `Tus-Resumable: 1.0.0` (+ `Tus-Version`)", "tus-запрос без `Tus-Resumable: 1.0.0` (+ `Tus-Version`)"),
    ("body_too_large", 413, "a body over 1 MiB (an upload's `PATCH` included: send files in pieces)", "тело больше 1 МиБ (и у `PATCH` загрузки: файлы отправляются кусками)"),
    ("file_too_large", 413, "an `Upload-Length` over `UPLOAD_MAX_MB` (`Tus-Max-Size`)", "`Upload-Length` больше `UPLOAD_MAX_MB` (`Tus-Max-Size`)"),
    ("storage_quota_exceeded", 413, "your files and unfinished uploads would pass `STORAGE_QUOTA_MB`", "ваши файлы и незаконченные загрузки превысили бы `STORAGE_QUOTA_MB`"),
    ("unsupported_media_type", 415, "a `Content-Type` other than `application/json` (`application/offset+octet-stream` for an upload's `PATCH`)", "`Content-Type` не `application/json` (для `PATCH` загрузки — не `application/offset+octet-stream`)"),
    ("range_not_satisfiable", 416, "a `Range` that starts past the end of the file (+ `Content-Range: bytes */size`)", "`Range` начинается за концом файла (+ `Content-Range: bytes */size`)"),
    ("validation_error", 422, "invalid fields or query parameters: `detail` is FastAPI's list of `{loc, msg, type}`", "неверные поля или параметры запроса: `detail` — список `{loc, msg, type}`, как в FastAPI"),
    ("invalid_emoji", 422, "a reaction that is not exactly one emoji", "реакция — не ровно один эмодзи"),
    ("pinned_chats_mismatch", 422, "reordering pinned chats with a list that is not exactly the pinned ones", "новый порядок закреплённых чатов — не ровно закреплённые чаты"),
    ("avatar_not_an_image", 422, "a profile or group photo from an upload that is not a JPEG, PNG or GIF that decodes (or is over 32 MiB)",
     "фото профиля или группы из загрузки, которая не JPEG, PNG или GIF, который удаётся декодировать (или больше 32 МиБ)"),
    ("upgrade_required", 426, "a plain HTTP request to `/ws/...`", "обычный HTTP-запрос к `/ws/...`"),
    ("too_many_chat_changes", 429, "over the group change limit, which display name changes share (+ `Retry-After`)", "превышен лимит изменений групп, общий со сменой имени (+ `Retry-After`)"),
    ("too_many_commands", 429, "WebSocket only: more than 256 commands waiting behind a send in progress; the command is dropped, wait for the acks",
     "только WebSocket: больше 256 команд ждут окончания отправки; команда отброшена, дождитесь `ack`"),
    ("too_many_connections", 429, "more than 256 open connections from your address (then closed)", "больше 256 открытых соединений с вашего адреса (затем закрывается)"),
    ("too_many_failed_logins", 429, "over the failed login limit, which wrong current passwords share (+ `Retry-After`)", "превышен лимит неудачных входов, общий с неверными текущими паролями (+ `Retry-After`)"),
    ("too_many_messages", 429, "over the message limit (+ `Retry-After`)", "превышен лимит сообщений (+ `Retry-After`)"),
    ("too_many_reactions", 429, "over the reaction limit, `REACTION_RATE` (+ `Retry-After`)", "превышен лимит реакций, `REACTION_RATE` (+ `Retry-After`)"),
    ("too_many_registrations", 429, "over the registration limit (+ `Retry-After`)", "превышен лимит регистраций (+ `Retry-After`)"),
    ("too_many_searches", 429, "over the user search limit (+ `Retry-After`)", "превышен лимит поиска пользователей (+ `Retry-After`)"),
    ("too_many_uploads", 429, "`UPLOADS_IN_PROGRESS_MAX` unfinished uploads already: finish, terminate or let one expire", "уже `UPLOADS_IN_PROGRESS_MAX` незаконченных загрузок: завершите, удалите или дождитесь истечения одной из них"),
    ("too_many_downloads", 429, "8 of your downloads (512 in all) are streaming (+ `Retry-After`)", "идут 8 ваших скачиваний (512 всего) (+ `Retry-After`)"),
    ("internal_error", 500, "a bug: it should never be seen", "ошибка в сервере: её не должно быть видно"),
    ("database_unavailable", 503, "the database does not answer: retry", "база данных не отвечает: повторите позже"),
]
EX["codes_en"] = "| `code` | status | when |\n|---|---|---|\n" + "\n".join(f"| `{c}` | {st} | {en} |" for c, st, en, _ in CODES)
EX["codes_ru"] = "| `code` | статус | когда |\n|---|---|---|\n" + "\n".join(f"| `{c}` | {st} | {ru} |" for c, st, _, ru in CODES)

EN = r"""# Messenger API

<!-- Generated by scripts/api-docs.py from a running server: every example below
is a real request and the server's real answer (long tokens cut). -->

The REST and WebSocket API of the Messenger server. It keeps every path,
method and JSON field of the FastAPI messenger it replaces, so clients of
that API work unchanged, and adds what a real messenger needs (see
"Differences from the original API" at the end). The same API as an OpenAPI
3.0 document: `GET /openapi.json`; the WebSocket side (every command, frame
and event) as an AsyncAPI 2.6 document: `GET /asyncapi.json`; for reading in a
browser: `GET /docs`.

## Conventions

- Base path `/api/v1`; JSON in UTF-8; ids are UUID strings.
- Times are ISO 8601 UTC with microseconds: `2026-11-26T01:52:23.635564Z`.
- Authentication: `Authorization: Bearer <access_token>`. Access tokens are
  HS256 JWTs (`sub` = user id, `sid` = session id) valid 30 minutes
  (`ACCESS_TOKEN_EXPIRE_MINUTES`). Refresh tokens are opaque, valid 30 days,
  and rotate on every use. A login starts a session (one device); its tokens
  work until it ends (logout, `DELETE /sessions/{id}`, signing out the other
  devices, a password change, or a reused refresh token), then they are
  refused at once and its sockets close.
- Every `Message` carries `seq` (a server-wide increasing number: the order of
  record, and the resume point for live updates) and `chat_seq` (1, 2, 3...
  within its chat, without gaps).
- Every answer carries `X-Request-Id`: the one the request sent, if it is
  printable ASCII of at most 128 characters, else a new UUID. The server's log
  line for the request has it as `request_id`: quote it when reporting a problem.
- Errors: `{"detail": "...", "code": "..."}`: `detail` for people, `code` for
  programs. Validation errors are 422 with FastAPI's field list as `detail`
  and `"code": "validation_error"` beside it. No request, however malformed,
  gets a 500. Every code the server sends (new ones may be added):

{ex:codes_en}

Limits: text 1–4096 characters (trimmed); names 1–64, group names 1–128; groups
up to 1000 members; history pages 1–200; a user search query 3–254
characters. No string may contain U+0000, U+FFFE, U+FFFF or an unpaired
surrogate (422, `string_forbidden_character`); message texts come back exactly
as sent, a leading U+FEFF included; names are trimmed of whitespace and U+FEFF.
Rate limits (defaults; the operator may change them): failed logins 3 at once
then one per 6 s per account and address and per address, and 10 at once then
one per 2 s per account from all addresses together (not charged from an
address the account signed in from before); an attempt takes its place before
the password is checked and a successful one gives it back (a wrong current
password when changing it counts as a failed login of the account); 3 registrations
then one per 6 s per address; 20 messages at once then 5 per second per user;
30 user searches at once then one per second per user; 20 group changes
(create a group, rename, add or remove members) at once then one per second
per user; a display name change counts as a group change. Connections: one request is answered at a time (pipelined requests
wait their turn and are answered in order; none is read while 1 MiB of answers
waits unread); a request must arrive whole within 10 s of its first byte; an
idle connection is closed after 60 s.

## Authentication

### Register — `POST /api/v1/auth/register`

{ex:register}

Taken email, invalid fields:

{ex:register_taken}

{ex:register_invalid}

The operator decides who may register (`REGISTRATION`): anyone (the default);
nobody, then the answer is 403 `registration_closed` and accounts are made with
`messenger-server admin user create`; or whoever has an invitation: the body
then needs `"invite_code"` (from `messenger-server admin invite create`; 403
`invite_required` without it, 403 `invalid_invite` when it is unknown,
expired, revoked or used up). Each registration uses the code once, atomically:
of two registrations racing for its last use, one gets 403 `invalid_invite`.

An account an administrator disabled cannot log in (403 `account_disabled`,
given only for the right password) and its sessions have ended. A deleted
account cannot log in and is not found by user search; its messages stay, and
wherever it appears (a message's `sender`, a member list, `user_updated`) it
reads `"name": "Deleted account"`, `"email": ""`, `"avatar_url": null`.

### Log in — `POST /api/v1/auth/token`

JSON body (not a form). `device_name` (optional, up to 64 characters) names
the device in the session list:

{ex:login}

{ex:login_wrong}

{ex:login_form}

### Refresh — `POST /api/v1/auth/refresh`

Trade the refresh token for a new pair before (or after) the access token
expires. The old refresh token stops working, except that retrying the same
refresh within 60 s returns the same new refresh token (for a client whose
answer got lost), as long as that new token has not been used itself. Any other
reuse of an old refresh token means a copy exists: the answer is 401
`refresh_token_reused` and the session ends (its tokens are refused, its
sockets close).

{ex:refresh}

An old token presented after its successor was used:

{ex:refresh_reused}

### Log out — `POST /api/v1/auth/logout`

`{"refresh_token": "..."}` ends that session; an empty body ends all of yours.
Answer: 204. From then on the session's access tokens get 401 (`session_revoked`)
on every instance, and its WebSockets are closed with code 4003 (within a
second on every instance; the user's other sockets get a `session_revoked`
event).

### Sessions — `GET /api/v1/sessions`, `DELETE /api/v1/sessions/{session_id}`

Your signed-in devices, most recently used first (at most 100): `device_name`
as given at login, `client` (the User-Agent) and `address` of the login or the
last refresh, `last_used_at` (the login or the last refresh; access tokens are
not tracked per request), and `current` for the session of the token asking.
`id` is the `sid` claim of the session's access tokens.

{ex:sessions}

Ending one of them works like logging it out; someone else's, an unknown or an
already ended session is 404 (`session_not_found`):

{ex:session_delete}

Signing out every other device at once, `POST /api/v1/sessions/revoke-others`
(no body): each other session ends as above; the one asking goes on. 204, also
when there was nothing to end:

{ex:revoke_others}

A request without a valid token:

{ex:no_token}

## Users

{ex:me}

### Profile — `PATCH /api/v1/users/me`, `POST /api/v1/users/me/password`

`{"name": "..."}` changes your display name (trimmed, 1–64 characters, like at
registration) and answers the updated user. Names are not copied anywhere:
chats, member lists, search and new messages' `sender_name` show the new one
at once (messages already delivered keep the name they were sent with).
Everyone who shares a chat with you, and your other devices, get a
`user_updated` event with the whole user. A name change counts against the
group change limit (429 `too_many_chat_changes`).

{ex:rename_me}

{ex:rename_me_invalid}

What someone who shares a chat with you receives:

{ex:user_updated}

`{"current_password", "new_password"}` changes your password (the new one 8–128
characters). A wrong current password is 403 `wrong_password` and changes
nothing; it counts as a failed login of the account (the same limits, then 429
`too_many_failed_logins`), so a stolen access token is no faster way to guess
the password. On success (204) every OTHER session of yours ends — their
refresh tokens stop working, their access tokens get 401 `session_revoked`,
their WebSockets close with 4003 — and the session that asked keeps its tokens.

{ex:password_wrong}

{ex:password}

Search by the beginning of a word of the name, or by a whole e-mail address
(yourself excluded), `limit` 1–50. The query needs at least 3 characters, and an
address matches only whole, so nobody can list the addresses on the server by
their first letters; each user may search 30 times at once, then once a second
(`USER_SEARCH_RATE`), then 429 `too_many_searches`:

{ex:search}

{ex:search_short}

### Presence — `GET /api/v1/presence?user_ids=`, `GET` / `PUT /api/v1/users/me/privacy`

Whether people who share a chat with you are online, and when they were last
seen. A client reads it once when it connects (and after every reconnect:
`presence` frames are not stored, not in `/updates`), then follows the
`presence` frames on `/ws/user`. `user_ids` takes up to 100 comma-separated
ids; you get an entry only for those who share a chat with you now — unknown
ids, strangers and yourself are left out, so the answer never tells whether an
id exists. `last_seen_at` (unix seconds) is null while the user is online, if
they were never seen, or when they hide it.

{ex:presence}

{ex:presence_invalid}

The rule, with several instances too:

- online means at least one open, authenticated `/ws/user` socket on any
  instance; a user's last socket closing makes them offline only after
  `PRESENCE_GRACE` seconds (default 10), so a reload or a reconnect does not
  flap;
- each instance renews its users every `PRESENCE_TIMEOUT / 3` seconds; the
  users of an instance that died count as offline at most `PRESENCE_TIMEOUT +
  PRESENCE_TIMEOUT / 3 + 1` seconds (default 41) after its last renewal;
- changes are batched: a watcher gets at most one `presence` frame a second,
  with every change since the previous one; one user's presence is announced
  at most once per `PRESENCE_GRACE` seconds (a flapping connection is one
  change), and only when what watchers see changed;
- the frames go only to those who share a chat with the user at that moment
  (someone removed from the chat stops receiving them), never to the user
  themself.

{ex:ws_presence}

`{"presence_visible": "everyone" | "nobody"}` chooses who sees your presence:
everyone who shares a chat with you (the default), or nobody. With `nobody`
others see you `online: false` with `last_seen_at: null` and get no `presence`
frames about you (one last frame shows you offline), and you see nobody's
presence either. A change counts against `CHAT_CHANGE_RATE`.

{ex:privacy_set}

{ex:privacy_invalid}

{ex:privacy}

{ex:presence_hidden}

## Chats

A personal chat: asking again for the same pair returns the same chat.

{ex:personal}

A group: the creator is its owner.

{ex:group}

Rename (owner), add members (owner), remove a member (owner) or leave
(yourself, `DELETE .../members/<your id>`; when the owner leaves, the longest
standing member becomes owner):

{ex:rename}

{ex:add_members}

The members hear of a change as the change, not as the whole chat again
(`chat_renamed` `{chat_id, name}`, `members_added` `{chat_id, members}`,
`member_left` `{chat_id, user_id}`); someone just added receives
`members_added` too and fetches the chat with `GET /api/v1/chats/{id}`:

{ex:group_events}

{ex:remove_member}

Your chats, and the chat list with the newest message and your unread count,
newest activity first. `last_read_seq` is your read cursor in that chat: the
`seq` of the newest message you have read (0: none yet); `unread_count` counts
the messages after it sent by others (deleted ones not counted);
`last_message` is `null` in a chat without messages:

{ex:chats}

{ex:with_last}

One chat; a chat you are not in:

{ex:chat}

{ex:chat_forbidden}

## Messages

### Send — `POST /api/v1/chats/messages`

The answer comes after the message is stored. Give a `client_id` (a UUID you
choose) and a retry is safe: the same `client_id` returns the first message and
stores nothing new. A message may carry files: `attachment_ids` (see Files).

{ex:send}

{ex:send_again}

{ex:send_not_member}

{ex:send_empty}

A text is stored and returned exactly as sent; a U+0000 in it (or in any other
string) is refused before anything is stored:

{ex:send_nul}

### Replies

Give `reply_to_id`, the id of a message of the same chat, and the new message
answers it. Every message (in answers, history, events and `/updates`) has
`reply_to`: `null`, or `{id, sender_id, sender_name, text, deleted, seq}` — the
message it answers as that message is **now**: its sender's current name and the
start of its current text (at most 100 UTF-16 code units, cut where a character
ends, so never inside a surrogate pair). When that message is edited the preview
shows the new text; when it is deleted, `deleted` is `true` and `text` is empty.
`seq` is where the original is: pass it to history as `around_seq` to show it
in context. A deleted message's own `reply_to` is `null`.

A `reply_to_id` that names no message of this chat (none, or one of another
chat, yours or not) is a 404 `reply_target_not_found`, the same answer in every
case; a deleted one is a 409 `reply_target_deleted`. Nothing is stored then. A
retry with the same `client_id` returns the first message as always.

{ex:send_reply}

{ex:send_reply_missing}

### Mentions

Give `mentions`, the ids of the users the text mentions (at most 50; what a
composer's `@` completion picked). The server keeps those who are members of
the chat, each once, in the order given, without the sender; other ids are
dropped, not refused. Every message has `mentions` (`[]` when none), fixed when
it is sent (an edit keeps them) and empty once it is deleted. Each chat-list
row has `unread_mentions`: your unread messages (after `last_read_seq`, not
deleted) that mention you. Clients highlight the `@Name` of mentioned users and
notify a mention even in a muted chat. The WebSocket `send` takes `mentions`
too.

{ex:send_mention}

### History — `GET /api/v1/chats/{chat_id}/history`

`limit` (1–200, default 100) and one way to page:

- `offset=K` (as before): newest first, skipping the newest K;
- `before_seq=N`: the messages older than N, newest first; continue with the
  last (oldest) message's `seq`;
- `after_seq=N`: the messages newer than N, **oldest first**; continue with the
  last (newest) message's `seq`;
- `around_seq=N`: the page around the message with seq N (say, the one a reply
  answers), **newest first**: `limit / 2` older messages, then that message and
  newer ones; near either end of the chat the other side fills the page.
  `has_more` tells of older messages; newer ones exist when the first message's
  `chat_seq` is below `total`.

Keyset paging costs the same at any depth. Giving more than one of `offset`,
`before_seq`, `after_seq` and `around_seq` is a 422 (`validation_error`) naming
each of them.
`total` counts every message of the chat, deleted ones included; `has_more`
says whether another page exists in the same direction.

{ex:history}

{ex:history_keyset}

{ex:history_after}

{ex:history_around}

{ex:history_conflict}

### Search — `GET /api/v1/search/messages?q=&chat_id=&limit=&before=`

Full-text search over the messages of your chats (or of one, `chat_id`:
403/404 as for history), newest first. `q` is plain words, never a query
language: anything but letters and digits separates words (quotes, `*`, `:`,
`&`, `|`, `!`, `(`, `-`, `NEAR` and `OR` are text); a message is found when
it has a word starting with each of them, in any case and script ("прив"
finds "Привет", "deploy" finds "deployment"). 1–256 characters, at most 10
words; blank is a 422. Deleted messages are never found; an edited one only by
its current words. Each result is the message as history returns it, its
chat's `chat_id` and `chat_name` (a personal chat's is the other member's
name), and a plain-text `snippet` around the first match (about 160
characters, `…` where cut) with `highlights`: `[start, length]` of each
matching word in UTF-16 code units of the snippet (no markup, so nothing to
escape). `limit` 1–100 (20); when `has_more`, pass `next_before` (a `seq`) as
`before` for the next page. A page can hold fewer than `limit` results, even
none, while `has_more` is true: on PostgreSQL, when every word of the query is
common (each in more than about 20,000 messages) but they rarely meet, one
request reads at most the 10,000 newest messages below `before` (5,000 of the
chat with `chat_id`) and stops there, so that no query costs more than that;
keep paging while `has_more` to reach older matches. PostgreSQL uses a `tsvector` column with a GIN
index and the `simple` configuration (no stemming: chats mix Russian and
English, and a stemmer needs one language per text; prefixes do most of what
stemming would), SQLite an FTS5 index (`unicode61 remove_diacritics 2`).

{ex:search_messages}

{ex:search_messages_chat}

{ex:search_messages_empty}

### Read — `POST /api/v1/chats/messages/{message_id}/read` and `POST /api/v1/chats/{chat_id}/read`

Reading moves your cursor: the message and everything before it in that chat
become read for you. `is_read` on a message means every member other than its
sender has read it; `unread_count` counts messages after your cursor from others.
A message of a chat you are not in is 404, exactly like an unknown id.
The seed's `POST /chats/messages/{message_id}/read` answers
`{"message_id", "is_read": true}`: that `is_read` is yours (your cursor now
covers the message), always `true`, not the message's `is_read` (which stays
`false` until every other member has read it). `POST /chats/{chat_id}/read`
answers your cursor (`last_read_seq`, never moved back) and your
`unread_count`.

{ex:read_message}

{ex:read_chat}

### Reactions — `PUT` / `DELETE /api/v1/chats/messages/{message_id}/reactions/{emoji}`

React to a message of a chat you are in with one emoji, percent-encoded UTF-8
in the path (👍 is `%F0%9F%91%8D`); `DELETE` takes your reaction back. Both are
idempotent: adding a reaction you have, or taking back one you do not, changes
nothing and sends no event. Both answer the message with its `reactions` now.

Every message (in answers and history) has `reactions`: `[{emoji, count, me}]`,
in the order each emoji was first used on it (a new emoji goes last; one taken
back by everyone and used again too); `me` says whether **you** reacted with
it. A new or deleted message has `[]` (deleting a message drops its reactions).
A `message` event (live or in `/updates`) shows the message as it was sent,
with `[]`: the `message_reactions` events after it bring it up to date.
`message_edited` events carry no `reactions`: an edit never changes them, keep
the ones you have.

A change reaches every member of the chat as a `message_reactions` event (on
`/ws/user` and in `/updates`): `{message_id, chat_id, user_id, emoji, added,
reactions}` — who added (`added: true`) or took back which emoji, and the
message's whole list now as `[{emoji, count}]`, the same for every member, so
without `me`: your own reactions are the ones you added (your other devices see
your `user_id` in the event).

An emoji is exactly one grapheme cluster that is an emoji: a pictograph
(optionally with U+FE0F, a skin tone, tag characters, and more pictographs
joined by ZWJ: 👨‍👩‍👧‍👦, 🏳️‍🌈), a flag (two regional indicators: 🇺🇦), or a keycap
(`1️⃣`); at most 32 UTF-16 code units. Anything else — a letter, two emoji, an
empty segment, invalid UTF-8 — is a 422 `invalid_emoji`. A message carries at
most 20 different emoji: a 21st is a 409 `reaction_limit_reached` (adding to one
of the twenty is fine). A deleted message cannot be reacted to (409
`message_deleted`); a message of a chat you are not in is a 404
`message_not_found`, as for one that does not exist. Each user may add or take
back `REACTION_RATE` reactions (default 30 at once, then 2 a second), then 429
`too_many_reactions` with `Retry-After`.

{ex:react}

{ex:react_invalid}

{ex:react_not_member}

{ex:unreact}

### Forward messages — `POST /api/v1/chats/messages/forward`

Copies messages of chats you are in into chats you are in: `{message_ids,
chat_ids, client_id?}` with 1–100 messages and 1–10 chats, each named once (a
repeat is a 422), and at most 100 copies per request (messages × chats; more is
a 422). Each copy is a new message of yours in the target chat with the
original's text and `forwarded_from: {sender_id, sender_name}` — the original
author, named as they are now (the name is joined at read time and follows
renames); a forward of a forward keeps the first author. A copy quotes nothing
(`reply_to` null), has no reactions, and tells nothing of the chat it came from.
Every message has `forwarded_from` (null unless it is a copy): in answers,
history, search, `message` events and `/updates`.

All or nothing, in one transaction: a message that does not exist or is in a
chat you are not in is a 404 `message_not_found`, a target chat that does not
exist or that you are not in a 404 `chat_not_found` (each answered alike), a
deleted message a 409 `message_deleted` — and then nothing is stored. The answer
is `{messages}`: the copies, chat by chat in the order of `chat_ids`, each
chat's in the originals' order (by seq). They reach each target chat's members
as ordinary `message` events. With a `client_id` a retry is safe: each copy gets
a `client_id` derived from it (a UUID v5 of the message and chat ids in that
namespace), so the same request again stores nothing and answers the same
copies; a different forward with the same `client_id` is a 409
`client_id_reused`. Each copy counts as one message against `MESSAGE_RATE` (a
request of more copies than the burst needs a full budget and leaves it in
debt), then 429 `too_many_messages` with `Retry-After`.

{ex:forward}

{ex:forward_twice}

{ex:forward_not_member}

### Pinned message — `PUT` / `DELETE /api/v1/chats/{chat_id}/pin`

Each chat has at most one pinned message. `PUT` with `{message_id}` pins a
message of that chat (replacing the pinned one); `DELETE` unpins. Any member of
a personal chat may, only the owner of a group (403 `not_chat_owner`). Both
are idempotent (no change, no event) and answer the chat. A message of another
chat, or none, is a 404 `message_not_found`; a deleted one a 409
`message_deleted`.

Every chat (chat, chat lists, create answers, `chat` events) has
`pinned_message`: null, or `{id, seq, sender_id, sender_name, text}` as the
message is now — its sender's current name and the start of its current text
(at most 100 characters, like `reply_to`); `seq` is for history's `around_seq`.
A change reaches the members as a `chat_pinned` event `{chat_id,
pinned_message, user_id}` (on `/ws/user` and in `/updates`); deleting the
pinned message unpins it (a `chat_pinned` event with `pinned_message` null).
Pins count against `CHAT_CHANGE_RATE`.

{ex:pin}

{ex:pin_not_owner}

{ex:pin_other_chat}

{ex:unpin}

### Your chat settings — `PATCH /api/v1/chats/{chat_id}/settings`

Mute, pin to the top, archive, mark as unread: each user's own, never seen by
the other members. The body has any of `muted_until` (Unix seconds; `null`
unmutes; `253402300799`, the end of year 9999, is "forever", so a client that
only compares it with the clock reads it right), `pinned` (`true` puts the chat
after your pinned ones, at most 5: a 6th is a 409 `pinned_chats_limit`;
`false` unpins), `archived`, `marked_unread`; at least one. The answer is your
settings `{muted_until, pinned_position, archived, marked_unread}`, which every
chat in `GET /chats`, `/chats/with-last-message` and `GET /chats/{chat_id}`
carries as `settings` (not in `chat` events, which every member gets alike).
An expired mute reads as `null`. The lists stay ordered by activity: put the
pinned chats first yourself (ascending `pinned_position`; gaps may occur, only
the order counts) and keep archived ones apart. `PUT /api/v1/chats/pinned`
`{chat_ids}` reorders them: exactly the pinned chats (else 422
`pinned_chats_mismatch`), positions become 1, 2, ...

A change reaches only your own devices (every socket of yours, on any server
instance, and `/updates`) as a `chat_settings` event `{chat_id, settings}`; an
unchanged setting sends nothing. The server changes them itself in two cases:
a new message from someone else takes the chat out of your archive unless it
is muted (your own messages leave it there), and reading the chat (either read
endpoint or the WebSocket `read`) or sending in it clears `marked_unread`.
Muting is advisory: the server stores `muted_until` and delivers everything as
before; clients do not notify while it is in the future, except for messages
that mention you. Settings changes and reorders count against
`CHAT_CHANGE_RATE` (429 `too_many_chat_changes`).

{ex:settings_mute}

{ex:settings_archive}

{ex:settings_bad}

{ex:settings_not_member}

{ex:pinned_reorder}

{ex:pinned_mismatch}

{ex:settings_in_chat}

{ex:settings_events}

### Edit and delete your own message

{ex:edit}

{ex:edit_not_mine}

Deleting leaves a tombstone in the message's place (`deleted: true`, empty text),
and the message's earlier `message_edited` events become `message_deleted`
tombstones too: no text of a deleted message stays in history or in
`/updates`:

{ex:delete}

### Catching up — `GET /api/v1/updates?since_seq=N`

Everything that happened in your chats after `seq` N, in order, shaped exactly
like the WebSocket events: new messages, edits, deletions, reads, chat changes.
`since_seq` is required (0: from the beginning); `limit` 1–1000, default 200.
Continue from `last_seq` while `has_more`.

{ex:updates}

A change is in `/updates` once the server's event feed has read it. A change
made through the same server is there as soon as its answer has arrived:
`/updates` first lets the feed read every change that server has committed (a
few milliseconds). On PostgreSQL the feed can still wait up to 5 s behind an
earlier transaction that has not finished yet, and with several instances
behind a load balancer a change made through another instance shows a few
milliseconds after its answer. So a client should not rely on its own send
being in `/updates` the instant the answer arrives: it has the message from
the answer, and its `message` event follows on the socket.

A `since_seq` beyond everything the server has (a client that kept a `seq` of
a database that was reset or restored) gets no events, `has_more: false` and a
`last_seq` lower than the `since_seq` sent: the server's newest `seq`. Such a
client should drop what it kept and load again:

{ex:updates_beyond}

## Files

Files travel separately from messages: upload a file first, with the
[tus 1.0](https://tus.io/protocols/resumable-upload) resumable upload protocol
(extensions `creation`, `expiration`, `termination`) under `/api/v1/uploads`,
then send a message whose `attachment_ids` names it. Any tus client works
(tus-js-client, tus-java-client, TUSKit...); the requests are plain HTTP too.
Every tus request except `OPTIONS` and `GET` carries `Tus-Resumable: 1.0.0`
(else 412 `tus_version_unsupported`), and every answer of the upload routes
carries it too.

### Discovery — `OPTIONS /api/v1/uploads`

No token needed. `Tus-Max-Size` is the largest file (`UPLOAD_MAX_MB`, 100 MiB
by default); `Messenger-Max-Chunk-Size` is the largest body one `PATCH` may
carry: **1 MiB** (1048576 bytes; a bigger piece is a 413 `body_too_large` and
nothing of it is stored). So a file goes in pieces of at most 1 MiB: a tus
client's chunk size (tus-js-client's `chunkSize`) must be at most this value.

{ex:files_options}

### Upload — `POST`, `PATCH`, `HEAD /api/v1/uploads/{upload_id}`

`POST /api/v1/uploads` with `Upload-Length` (the size in bytes; a length given
later, `Upload-Defer-Length`, is not supported) and optionally
`Upload-Metadata`: comma-separated `key base64(value)` pairs, of which the
server uses `filename` (the name members see, cleaned of folders and control
characters, at most 255 characters). `filetype` is accepted and ignored: the
server tells the type from the content. The answer, 201, has the upload's URL
in `Location` and the upload as JSON (`Upload`):

{ex:files_create}

Then `PATCH` the bytes to that URL, in order, each piece with
`Content-Type: application/offset+octet-stream` and `Upload-Offset` = the
bytes received so far; the answer's `Upload-Offset` is the new one:

{ex:files_patch}

**Resuming.** After a dropped connection, a crash or a restart (of the
client or the server), ask where the upload stands with `HEAD` and send the
rest from its `Upload-Offset`; what was acknowledged is kept. A piece that
does not start there is refused (409 `offset_mismatch`), so nothing is ever
written twice or out of order:

{ex:files_head}

{ex:files_offset_mismatch}

The piece that completes the upload makes it a file **before** the answer
comes, so the message may be sent at once. `GET` on the upload's URL (no
`Tus-Resumable` needed) shows it as JSON, with the file it became in `file`;
the file's `id` is the upload's:

{ex:files_patch_last}

{ex:files_upload}

A tus request without `Tus-Resumable`:

{ex:files_no_version}

`DELETE` on the upload's URL (tus termination) removes an upload, finished or
not, with its bytes; a file a message carries belongs to the message (409
`file_attached`: delete the message instead):

{ex:files_delete_attached}

**Expiry.** An upload has `UPLOAD_EXPIRY` (24 hours by default) to finish, and
a finished file the same time again to be sent; otherwise the server removes
it and its bytes (`Upload-Expires`, `expires_at`). A file a message carries no
longer expires: it stays as long as a message (the original or a forwarded
copy) carries it, and goes when the last of them is deleted.

**Limits.** `Upload-Length` at most `UPLOAD_MAX_MB` (413 `file_too_large`);
your files and unfinished uploads together (announced lengths) at most
`STORAGE_QUOTA_MB`, 1 GiB by default (413 `storage_quota_exceeded`); at most
`UPLOADS_IN_PROGRESS_MAX` unfinished uploads at once, 10 by default (429
`too_many_uploads`). The checks are made under a lock on you: simultaneous
creations cannot all slip under the quota. **Dedup:** the bytes of identical
files (same SHA-256) are stored once, whoever uploaded them; each upload is
still a file of its own with its own name, owner and expiry.

**Images.** A JPEG, PNG or GIF (told by its bytes, not by its name) gets its
`width` and `height` as displayed (the EXIF orientation applied) and a
thumbnail that fits 320×320 (JPEG, or PNG when the image has transparency;
never upscaled). What is served is cleaned: JPEG APP segments (EXIF with GPS
position and camera, XMP, comments) and PNG text chunks are removed, so no
location or camera data reaches other members; a JPEG with a rotation in its
EXIF is re-encoded upright; a GIF is served as uploaded. `size` is the size
served. An image that does not decode, or is over 32 MiB or 50 megapixels, is
kept as a plain file (`application/octet-stream`, no size, no thumbnail, bytes
as uploaded, served as a download).

### Send files — `attachment_ids`

`POST /api/v1/chats/messages` (and the WebSocket `send`) take
`attachment_ids`: up to 10 ids of your own finished uploads, in the order to
show them. With files, `text` is a caption and may be empty or absent. Every
message has `attachments` (`[]` when none): `{id, name, size, mime_type,
width, height, thumbnail_url, url}`, in answers, history, search, `message`
and `message_edited` events and `/updates`; every chat list row's
`last_message` has them too. A forwarded copy carries the same files (the
same ids: no bytes are copied). A deleted message has `attachments: []`, and
its files go unless another message carries them.

{ex:files_send}

An id that is not one of your files (someone else's, unknown, expired) is a
404 `attachment_not_found`; an upload still missing bytes a 409
`upload_incomplete`. Nothing is stored then.

{ex:files_send_foreign}

### Download — `GET /api/v1/files/{file_id}`, `/api/v1/files/{file_id}/thumbnail`

A file is yours to download if you uploaded it, or if you are a member of a
chat where a message carries it (profile and group photos: see below). Everyone else gets 404 `file_not_found`, the
same answer as for a file that does not exist; a member removed from the chat
loses access at once (signed links included).

`Range` (one range: `bytes=0-99`, `bytes=100-`, `bytes=-500`) answers 206 with
`Content-Range`, so an interrupted download continues where it stopped; a
range past the end is 416 `range_not_satisfiable`. The `ETag` is the content's
SHA-256: `If-None-Match` answers 304, `If-Range` applies the range only while
the file is the one you have. `HEAD` gives the headers alone.

{ex:files_range}

{ex:files_not_modified}

{ex:files_not_member}

Only `image/jpeg`, `image/png` and `image/gif` are served as themselves and
`inline`; everything else comes as `application/octet-stream` with
`Content-Disposition: attachment`, whatever its type, and every answer has
`X-Content-Type-Options: nosniff` and `Content-Security-Policy: default-src
'none'; sandbox`, so no upload (an HTML page, an SVG with script) can run in
the server's origin. `Cache-Control: private, no-cache`: a browser may keep
the file but asks again (a 304) before using it. At most 8 downloads per user
(512 in all) stream at once; more is 429 `too_many_downloads` with
`Retry-After`.

{ex:files_image_head}

{ex:files_thumbnail}

### Signed links — `GET /api/v1/files/{file_id}/link`

Where no `Authorization` header can be sent (an `<img src>`, a video player,
a download manager), ask for signed URLs: they work without a token until
`expires_at`, `FILE_LINK_LIFETIME` seconds (600 by default) from now, for the
file and its thumbnail (`thumbnail_url`, null when there is none). A link
speaks for the user who asked for it, and each use checks that they may still
see the file; a changed, expired or other path's signature is a 401
`invalid_link`. Anyone who has a link can use it until then: give it only to
your own software.

{ex:files_link}

{ex:files_link_use}

### With tus-js-client

```js
import * as tus from "tus-js-client";

const upload = new tus.Upload(file, {
  endpoint: "https://chat.example.com/api/v1/uploads",
  chunkSize: 1048576,                 // at most Messenger-Max-Chunk-Size
  retryDelays: [0, 1000, 3000, 5000], // resumes by itself after a dropped connection
  headers: { Authorization: `Bearer ${accessToken}` },
  // A long upload may outlive the access token: a fresh one for each request.
  onBeforeRequest: (request) => request.setHeader("Authorization", `Bearer ${currentAccessToken()}`),
  metadata: { filename: file.name, filetype: file.type },
  onProgress: (sent, total) => showProgress(sent / total),
  onError: (error) => showError(error),
  onSuccess: async () => {
    const fileId = upload.url.split("/").pop(); // the file's id is the upload's
    await sendMessage({ chat_id: chatId, text: caption, attachment_ids: [fileId] });
  },
});
// An upload an earlier run left unfinished (tus-js-client remembers it) goes on from there.
const previous = await upload.findPreviousUploads();
if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
upload.start();
```

### Profile and group photos — `PUT` / `DELETE /api/v1/users/me/avatar`, `/api/v1/chats/{chat_id}/avatar`

A photo is made from one of your complete uploads (upload it as any file, then
name it): `PUT` with `{"upload_id"}`. The server takes the centre square of the
image (EXIF orientation applied), scales it to 512×512 (a smaller image keeps
its size: never upscaled) and stores it as a JPEG of its own without any
metadata, with a 128×128 thumbnail. The upload itself is left as it is (it
expires unless a message carries it); the photo's file never expires while it
is the photo, and the former photo's file is removed. An upload that is not a
JPEG, PNG or GIF that decodes is 422 `avatar_not_an_image`; one that is not a
complete upload of yours is 404 `upload_not_found`. `DELETE` removes the photo.
Each change counts against the group change limit (429 `too_many_chat_changes`).

`User.avatar_url` and `Chat.avatar_url` are `null` without a photo, else the
path of its file, `/api/v1/files/{file_id}` (fetch it with your token; the
thumbnail is `/api/v1/files/{file_id}/thumbnail`, and `/link` signs both for an
`<img>`). A new photo is a new file, so the URL changes with it and a cached
copy never shows an old photo. Any signed-in user may download a profile photo;
a group's photo only its members. Every user in every answer carries
`avatar_url` (members, message senders, search); personal chats have none of
their own (show the other member's).

{ex:avatar_set}

{ex:avatar_download}

{ex:avatar_not_image}

{ex:avatar_not_yours}

A group's photo is its owner's to set (`PUT` / `DELETE
/api/v1/chats/{chat_id}/avatar`, answering the chat): another member gets 403
`not_chat_owner`, a personal chat 400 `personal_chat`.

{ex:chat_avatar_set}

{ex:chat_avatar_not_owner}

{ex:chat_avatar_remove}

{ex:avatar_remove}

What the others hear (on `/ws/user` and from `/updates`): a profile photo
change is a `user_updated` event with the whole user, to everyone who shares a
chat with you and to your other devices, as a rename is; a group photo change
a `chat_updated` event `{chat_id, avatar_url}` to the group's members. Removing
a photo that is not there changes nothing and sends nothing.

{ex:avatar_events}

## WebSocket

Every command, frame and event below is described (with JSON Schemas) in the
AsyncAPI document `GET /asyncapi.json`. Connect to `/ws/user` (everything of
yours) or `/ws/{chat_id}` (the original API's socket for one chat), with the token as `?token=` or an
`Authorization: Bearer` header on the upgrade. Wait for the greeting before
sending. Only members of a chat ever receive anything about it.

The greeting, `{"status": "connected", "user_id", "seq"}` (and `"chat_id"` on
`/ws/{chat_id}`), names where the socket's live stream starts: it then receives
exactly the events with a greater `seq`, nothing at or below it. Something
committed just before you connected may lie on either side of it; to miss
nothing since a point you know, connect with `since_seq` (see Resume) or read
`/updates` up to the greeting's `seq`. A client that keeps no resume point yet
can take the greeting's `seq` as one.

A refused token (the socket then closes with 1008):

{ex:ws_refused}

### `/ws/user`

Commands: `send` (answered by `ack`, or `error` with the same `client_id`),
`typing` and `read` (no answer when they succeed; both take an optional
`client_id`), `ping`, `auth`. Events: `message`, `message_edited`,
`message_deleted`, `read`, `chat` (a new chat, whole), `chat_renamed`,
`chat_pinned` (the pinned message changed: `{chat_id, pinned_message, user_id}`),
`chat_updated` (a group's photo was set or removed: `{chat_id, avatar_url}`),
`chat_settings` (your own settings of a chat changed: `{chat_id, settings}`,
to your devices only),
`members_added` (you too, when you are the one added), `member_left`,
`chat_removed` (you left or were removed), `session_revoked` (one of your
sessions ended: `{"session_id"}`), `user_updated` (someone who shares a chat
with you, or you on another device, changed their name or photo: the whole user),
`typing`, `presence` (see Presence); each is
`{"type", "seq", "data"}` (`typing` and `presence` have no `seq`: they are not stored). Your own
messages come back as `message` events too, after their `ack`.

{ex:ws_user}

{ex:ws_typing_read}

Every `error` frame has a `detail` and a `code` from the table above (a frame
that is not a JSON object: `malformed_json`; an invalid command, unknown `type`
included: `validation_error`; `not_a_member`, `chat_not_found`,
`too_many_messages`...), and when it answers a command that had a `client_id`,
that `client_id` as the command sent it — also when the command itself was
invalid (a blank or too long text, a bad `chat_id`). Over the message rate limit the `error` has
`"retry_after"` (seconds): send the same frame again then. A malformed frame
gets an `error`; the socket stays open. A frame over 64 KiB closes it (1009); more than 30 frames a second
(bursts of 60) other than sends, pings, pongs and fragments included, close it
(1008, reason `too many frames`), and so do more than 4 MiB queued for a client
that does not read them, pongs included (1008, `too much unread data`; resume
later). The server pings every 30 s and drops a client silent for 75 s. At most
16 sockets per user and 500 per address are open or opening at once.

### Token expiry and `auth`

A socket lives as long as the access token it was opened with: when that token
expires the server closes it with code **4001** (`token expired`). To keep it,
send a fresh access token of the same session over the socket before then,
`{"type": "auth", "token": "<access_token>"}` (on `/ws/{chat_id}` too); the
answer `{"type": "authenticated", "expires_in": N}` says how many seconds the
socket now has. A token of another session, or an invalid one, gets an `error`
and changes nothing. When the socket's session ends (logout, `DELETE
/sessions/{id}`, a reused refresh token) the socket is closed with code
**4003** (`session revoked`): log in again. After 4001, refresh and reconnect.

{ex:ws_auth}

{ex:ws_revoked}

### Resume

Reconnect with `since_seq` = the largest `seq` you have seen: the server first
replays what you missed, in order — everything in (`since_seq`, the greeting's
`seq`] — then goes live after the greeting's `seq`, with no gap and no
duplicate. Send again what was not acknowledged, with the same `client_id`s.

{ex:ws_resume}

### `/ws/{chat_id}` (the original API's socket)

{ex:ws_seed}

## Operations

- `GET /health`: 200 when the database answers, else 503.

{ex:health}

- `GET /metrics`: Prometheus text (keep it inside your network). The series
  and a Grafana dashboard (`docker/grafana-dashboard.json`): README, Operations.
- `GET /openapi.json`, `GET /asyncapi.json`, `GET /docs`: this API as OpenAPI
  3.0 (REST) and AsyncAPI 2.6 (WebSocket), and rendered.

## Differences from the original API

Nothing was removed or renamed; a client of the original API works unchanged.
Added:

- `refresh_token` and `expires_in` in the login answer; `/auth/refresh`
  (rotating refresh tokens) and `/auth/logout`; sessions (`sid` in access
  tokens, `GET /sessions`, `DELETE /sessions/{id}`, `POST
  /sessions/revoke-others`, `device_name` at login).
- `PATCH /users/me` (display name, `user_updated` event) and `POST
  /users/me/password` (signs out the other devices).
- Profile and group photos (`/users/me/avatar`, `/chats/{id}/avatar`;
  `avatar_url` on users and chats; `chat_updated` event).
- `GET /users/me`, `GET /users?query=` (find people to start a chat).
- Access tokens must name a session (`sid`): tokens without one, such as the
  original server's, are refused.
- On every message: `seq`, `chat_seq`, `edited_at`, `deleted`, `client_id`;
  `total` plus `has_more` in history, keyset paging (`before_seq`,
  `after_seq`).
- Read cursors (`POST /chats/{id}/read`), `unread_count`, and `is_read`
  meaning "read by every other member".
- Group management (rename, add, remove, leave), message edit and delete.
- Idempotent sends (`client_id`), `GET /updates` and `since_seq` resume.
- `/ws/user` commands (`send` with `ack`, `typing`, `read`, `ping`, `auth`) and
  events beyond `message`; sockets close with 4001 when their token expires
  and 4003 when their session ends.
- Stricter input: `/auth/token` takes JSON only (415 otherwise), every field is
  validated (422), and rate limits answer 429.
- Every error carries a `code` (422 included, beside FastAPI's `detail` list).
- Files: resumable tus uploads (`/uploads`), `attachment_ids` and `attachments` on
  messages, downloads with ranges and signed links (`/files`).
"""

RU = r"""# API мессенджера

<!-- Создано scripts/api-docs.py на работающем сервере: каждый пример ниже —
настоящий запрос и настоящий ответ сервера (длинные токены сокращены). -->

REST и WebSocket API сервера Messenger. Все пути, методы и поля JSON
мессенджера на FastAPI, который он заменяет, сохранены: клиенты того API
работают без изменений; добавлено то, что нужно настоящему мессенджеру (см.
«Отличия от исходного API» в конце). Тот же API в виде документа OpenAPI 3.0:
`GET /openapi.json`; WebSocket (все команды, кадры и события) в виде документа
AsyncAPI 2.6: `GET /asyncapi.json`; для чтения в браузере: `GET /docs`.

## Соглашения

- Базовый путь `/api/v1`; JSON в UTF-8; идентификаторы — строки UUID.
- Время — ISO 8601 в UTC с микросекундами: `2026-11-26T01:52:23.635564Z`.
- Аутентификация: `Authorization: Bearer <access_token>`. Access-токен — JWT
  HS256 (`sub` = id пользователя, `sid` = id сессии), действует 30 минут
  (`ACCESS_TOKEN_EXPIRE_MINUTES`). Refresh-токен непрозрачный, действует
  30 дней и меняется при каждом использовании. Вход открывает сессию (одно
  устройство); её токены работают, пока она не завершена (выход,
  `DELETE /sessions/{id}`, выход на других устройствах, смена пароля или
  повторно использованный refresh-токен), после этого сразу отклоняются, а её
  сокеты закрываются.
- У каждого `Message` есть `seq` (возрастающий номер на весь сервер: порядок
  записи и точка возобновления живых обновлений) и `chat_seq` (1, 2, 3... внутри
  чата, без пропусков).
- Каждый ответ несёт заголовок `X-Request-Id`: присланный запросом, если это
  печатные символы ASCII не длиннее 128, иначе новый UUID. В строке журнала
  сервера об этом запросе он записан как `request_id`: назовите его, сообщая о проблеме.
- Ошибки: `{"detail": "...", "code": "..."}`: `detail` для людей, `code` для
  программ. Ошибки валидации — 422 со списком полей в `detail`, как в FastAPI, и
  `"code": "validation_error"` рядом. Ни один запрос, даже самый кривой, не
  получает 500. Все коды, которые отправляет сервер (могут добавляться новые):

{ex:codes_ru}

Ограничения: текст 1–4096 символов (пробелы по краям обрезаются); имя 1–64,
название группы 1–128; в группе до 1000 участников; страница истории 1–200;
поисковый запрос пользователей — от 3 до 254 символов. Ни одна строка не может
содержать U+0000, U+FFFE, U+FFFF или непарный суррогат (422,
`string_forbidden_character`); текст сообщения возвращается точно как
отправлен, включая U+FEFF в начале; у имён по краям обрезаются пробелы и U+FEFF.
Лимиты частоты (по умолчанию; администратор может изменить): неудачные входы —
3 подряд, затем один в 6 с на пару «аккаунт и адрес» и на адрес, а также 10
подряд, затем один в 2 с на аккаунт со всех адресов вместе (не списывается с
адреса, с которого в аккаунт уже входили); попытка занимает место до проверки
пароля, успешная его возвращает (неверный текущий пароль при его смене
считается неудачным входом в аккаунт); 3 регистрации, затем одна в 6 с на адрес; 20
сообщений подряд, затем 5 в секунду на пользователя; 30 поисков пользователей
подряд, затем один в секунду на пользователя; 20 изменений групп (создать
группу, переименовать, добавить или удалить участников) подряд, затем одно в
секунду на пользователя; смена имени считается изменением группы. Соединения: запросы обрабатываются по одному
(конвейерные ждут своей очереди, ответы идут по порядку; пока клиент не забрал
1 МиБ ответов, следующий запрос не читается); запрос должен прийти целиком за
10 с от первого байта; простаивающее соединение закрывается через 60 с.

## Аутентификация

### Регистрация — `POST /api/v1/auth/register`

{ex:register}

Email занят, неверные поля:

{ex:register_taken}

{ex:register_invalid}

Кто может регистрироваться, решает администратор (`REGISTRATION`): любой (по
умолчанию); никто — тогда ответ 403 `registration_closed`, а учётные записи
создаются командой `messenger-server admin user create`; или только по
приглашению — тогда в теле нужен `"invite_code"` (из `messenger-server admin
invite create`; без него 403 `invite_required`, с неизвестным, истёкшим,
отозванным или исчерпанным кодом 403 `invalid_invite`). Каждая регистрация
расходует одно использование кода атомарно: из двух регистраций, спорящих за
последнее использование, одна получит 403 `invalid_invite`.

Учётная запись, отключённая администратором, не может войти (403
`account_disabled`, только при верном пароле), а её сессии завершены.
Удалённая учётная запись не может войти и не находится поиском
пользователей; её сообщения остаются, и везде, где она встречается
(`sender` сообщения, список участников, `user_updated`), она выглядит как
`"name": "Deleted account"`, `"email": ""`, `"avatar_url": null`.

### Вход — `POST /api/v1/auth/token`

Тело — JSON (не форма). `device_name` (необязательно, до 64 символов) — имя
устройства в списке сессий:

{ex:login}

{ex:login_wrong}

{ex:login_form}

### Обновление токенов — `POST /api/v1/auth/refresh`

Обменяйте refresh-токен на новую пару до (или после) истечения access-токена.
Старый refresh-токен перестаёт работать; только повтор того же запроса в течение
60 с возвращает тот же новый refresh-токен (для клиента, потерявшего ответ), и
лишь пока этот новый токен сам не использован. Любое другое повторное
использование старого refresh-токена означает, что у кого-то есть копия: ответ
401 `refresh_token_reused`, сессия завершается (её токены отклоняются, сокеты
закрываются).

{ex:refresh}

Старый токен после того, как его преемник уже использован:

{ex:refresh_reused}

### Выход — `POST /api/v1/auth/logout`

`{"refresh_token": "..."}` завершает эту сессию; пустое тело — все ваши сессии.
Ответ: 204. С этого момента access-токены сессии получают 401
(`session_revoked`) на всех экземплярах сервера, а её WebSocket-соединения
закрываются с кодом 4003 (на каждом экземпляре в пределах секунды; другие
сокеты пользователя получают событие `session_revoked`).

### Сессии — `GET /api/v1/sessions`, `DELETE /api/v1/sessions/{session_id}`

Ваши устройства, сначала недавно использованные (не больше 100): `device_name`
из запроса входа, `client` (User-Agent) и `address` входа или последнего
обновления токенов, `last_used_at` (вход или последнее обновление токенов;
отдельные запросы не учитываются) и `current` у сессии запрашивающего токена.
`id` — это claim `sid` access-токенов сессии.

{ex:sessions}

Завершение сессии действует как выход на том устройстве; чужая, неизвестная
или уже завершённая сессия — 404 (`session_not_found`):

{ex:session_delete}

Выход на всех остальных устройствах сразу — `POST /api/v1/sessions/revoke-others`
(без тела): каждая другая сессия завершается, как выше; запросившая продолжает
работать. Ответ 204, даже если завершать было нечего:

{ex:revoke_others}

Запрос без действительного токена:

{ex:no_token}

## Пользователи

{ex:me}

### Профиль — `PATCH /api/v1/users/me`, `POST /api/v1/users/me/password`

`{"name": "..."}` меняет ваше имя (обрезается по краям, 1–64 символа, как при
регистрации); ответ — обновлённый пользователь. Имена нигде не копируются:
чаты, списки участников, поиск и `sender_name` новых сообщений сразу
показывают новое (уже доставленные сообщения сохраняют имя, с которым были
отправлены). Все, у кого есть общий чат с вами, и ваши другие устройства
получают событие `user_updated` с пользователем целиком. Смена имени
расходует лимит изменений групп (429 `too_many_chat_changes`).

{ex:rename_me}

{ex:rename_me_invalid}

Что получает собеседник:

{ex:user_updated}

`{"current_password", "new_password"}` меняет пароль (новый — 8–128 символов).
Неверный текущий пароль — 403 `wrong_password`, ничего не меняется; он
считается неудачным входом в аккаунт (те же лимиты, затем 429
`too_many_failed_logins`), так что украденный access-токен не ускоряет подбор
пароля. При успехе (204) завершаются все ДРУГИЕ ваши сессии — их
refresh-токены перестают работать, access-токены получают 401
`session_revoked`, WebSocket-соединения закрываются с кодом 4003, — а
запросившая сессия сохраняет свои токены.

{ex:password_wrong}

{ex:password}

Поиск по началу слова в имени или по email целиком (кроме вас самих), `limit`
1–50. В запросе не меньше 3 символов, а адрес находится только целиком, чтобы
никто не мог выписать все адреса сервера по первым буквам; каждый пользователь
может искать 30 раз подряд, затем раз в секунду (`USER_SEARCH_RATE`), иначе 429
`too_many_searches`:

{ex:search}

{ex:search_short}

### Присутствие — `GET /api/v1/presence?user_ids=`, `GET` / `PUT /api/v1/users/me/privacy`

В сети ли люди, с которыми у вас общий чат, и когда их видели последний раз.
Клиент читает это один раз при подключении (и после каждого переподключения:
кадры `presence` не хранятся и не попадают в `/updates`), дальше следит за
кадрами `presence` в `/ws/user`. `user_ids` — до 100 id через запятую; запись
есть только для тех, у кого с вами общий чат сейчас: неизвестные id, чужие и
вы сами опускаются, так что ответ не выдаёт, существует ли id.
`last_seen_at` (секунды unix) — null, пока пользователь в сети, если его не
видели ни разу или если он это скрыл.

{ex:presence}

{ex:presence_invalid}

Правило, в том числе для нескольких экземпляров сервера:

- в сети — значит, открыт хотя бы один аутентифицированный сокет `/ws/user`
  на любом экземпляре; после закрытия последнего сокета пользователь уходит
  из сети только через `PRESENCE_GRACE` секунд (по умолчанию 10), так что
  перезагрузка страницы или переподключение не мигают;
- каждый экземпляр продлевает своих пользователей раз в `PRESENCE_TIMEOUT / 3`
  секунд; пользователи упавшего экземпляра считаются не в сети не позже чем
  через `PRESENCE_TIMEOUT + PRESENCE_TIMEOUT / 3 + 1` секунд (по умолчанию 41)
  после его последнего продления;
- изменения собираются вместе: наблюдатель получает не больше одного кадра
  `presence` в секунду со всеми изменениями с прошлого; о присутствии одного
  пользователя объявляется не чаще раза в `PRESENCE_GRACE` секунд (мигающее
  соединение — одно изменение) и только если видимое изменилось;
- кадры получают только те, у кого с пользователем общий чат в этот момент
  (удалённый из чата перестаёт их получать), и никогда он сам.

{ex:ws_presence}

`{"presence_visible": "everyone" | "nobody"}` — кто видит ваше присутствие:
все, у кого с вами общий чат (по умолчанию), или никто. При `nobody` другие
видят вас `online: false` с `last_seen_at: null` и не получают кадров
`presence` о вас (последний кадр показывает вас не в сети), а вы тоже не
видите ничьего присутствия. Изменение считается в `CHAT_CHANGE_RATE`.

{ex:privacy_set}

{ex:privacy_invalid}

{ex:privacy}

{ex:presence_hidden}

## Чаты

Личный чат: повторный запрос для той же пары возвращает тот же чат.

{ex:personal}

Группа: создатель — её владелец.

{ex:group}

Переименовать (владелец), добавить участников (владелец), удалить участника
(владелец) или выйти (сами себя: `DELETE .../members/<ваш id>`; если выходит
владелец, владельцем становится самый давний участник):

{ex:rename}

{ex:add_members}

Участники узнают об изменении как об изменении, а не получают весь чат заново
(`chat_renamed` `{chat_id, name}`, `members_added` `{chat_id, members}`,
`member_left` `{chat_id, user_id}`); только что добавленный тоже получает
`members_added` и запрашивает чат через `GET /api/v1/chats/{id}`:

{ex:group_events}

{ex:remove_member}

Ваши чаты и список чатов с последним сообщением и числом непрочитанных, сначала
самые свежие. `last_read_seq` — ваш курсор прочтения в этом чате: `seq`
последнего прочитанного вами сообщения (0 — ещё ничего); `unread_count` —
сообщения других после него (удалённые не считаются); `last_message` — `null`
в чате без сообщений:

{ex:chats}

{ex:with_last}

Один чат; чат, в котором вас нет:

{ex:chat}

{ex:chat_forbidden}

## Сообщения

### Отправка — `POST /api/v1/chats/messages`

Ответ приходит после того, как сообщение сохранено. Укажите `client_id` (UUID,
выбранный клиентом), и повтор безопасен: тот же `client_id` возвращает первое
сообщение и ничего нового не сохраняет. Сообщение может нести файлы:
`attachment_ids` (см. «Файлы»).

{ex:send}

{ex:send_again}

{ex:send_not_member}

{ex:send_empty}

Текст сохраняется и возвращается точно как отправлен; U+0000 в нём (или в любой
другой строке) отклоняется до всякой записи:

{ex:send_nul}

### Ответы

Укажите `reply_to_id` — id сообщения того же чата, — и новое сообщение станет
ответом на него. У каждого сообщения (в ответах, истории, событиях и `/updates`)
есть `reply_to`: `null` или `{id, sender_id, sender_name, text, deleted, seq}` —
сообщение, на которое отвечают, **в нынешнем виде**: текущее имя отправителя и
начало текущего текста (не больше 100 кодовых единиц UTF-16, обрезано на границе
символа, так что суррогатная пара не разрывается). После правки исходного
сообщения превью показывает новый текст; после удаления `deleted` — `true`, а
`text` пуст. `seq` — место исходного сообщения: передайте его в историю как
`around_seq`, чтобы показать его в контексте. У удалённого сообщения
собственный `reply_to` — `null`.

`reply_to_id`, не указывающий на сообщение этого чата (такого нет, или оно из
другого чата — вашего или нет), — 404 `reply_target_not_found`, ответ всегда
одинаков; на удалённое — 409 `reply_target_deleted`. Ничего не сохраняется.
Повтор с тем же `client_id` возвращает первое сообщение, как всегда.

{ex:send_reply}

{ex:send_reply_missing}

### Упоминания

Укажите `mentions` — id пользователей, упомянутых в тексте (не больше 50; то,
что выбрало автодополнение `@` в поле ввода). Сервер оставляет участников чата,
каждого один раз, в данном порядке, без отправителя; остальные id отбрасываются,
а не отклоняются. У каждого сообщения есть `mentions` (`[]`, если никого),
заданные при отправке (правка их не меняет) и пустые после удаления. В каждой
строке списка чатов есть `unread_mentions` — ваши непрочитанные сообщения
(после `last_read_seq`, не удалённые) с упоминанием вас. Клиенты выделяют
`@Имя` упомянутых и уведомляют об упоминании даже в чате без звука. Команда
WebSocket `send` тоже принимает `mentions`.

{ex:send_mention}

### История — `GET /api/v1/chats/{chat_id}/history`

`limit` (1–200, по умолчанию 100) и один способ листать:

- `offset=K` (как раньше): сначала новые, пропуская K самых новых;
- `before_seq=N`: сообщения старше N, сначала новые; дальше — с `seq`
  последнего (самого старого) сообщения страницы;
- `after_seq=N`: сообщения новее N, **сначала старые**; дальше — с `seq`
  последнего (самого нового) сообщения страницы;
- `around_seq=N`: страница вокруг сообщения с seq N (например, того, на которое
  ответили), **сначала новые**: `limit / 2` более старых, затем это сообщение и
  более новые; у края чата страницу дополняет другая сторона. `has_more` — есть
  ли более старые; более новые есть, если `chat_seq` первого сообщения меньше
  `total`.

Доступ по ключу одинаково быстр на любой глубине. Больше одного из `offset`,
`before_seq`, `after_seq` и `around_seq` сразу — 422 (`validation_error`), где
названо каждое.
`total` — число всех сообщений чата, включая удалённые; `has_more` — есть ли
ещё страница в том же направлении.

{ex:history}

{ex:history_keyset}

{ex:history_after}

{ex:history_around}

{ex:history_conflict}

### Поиск — `GET /api/v1/search/messages?q=&chat_id=&limit=&before=`

Полнотекстовый поиск по сообщениям ваших чатов (или одного, `chat_id`:
403/404 как у истории), новые первыми. `q` — просто слова, а не язык запросов:
всё, кроме букв и цифр, разделяет слова (кавычки, `*`, `:`, `&`, `|`, `!`, `(`,
`-`, `NEAR` и `OR` — текст); сообщение находится, если в нём есть слово,
начинающееся с каждого из них, в любом регистре и алфавите («прив» находит
«Привет», «deploy» — «deployment»). 1–256 символов, не больше 10 слов; пустой
запрос — 422. Удалённые сообщения не находятся никогда, отредактированное —
только по его нынешним словам. Каждый результат — сообщение, как его отдаёт
история, `chat_id` и `chat_name` чата (у личного — имя собеседника) и
`snippet` — простой текст вокруг первого совпадения (около 160 символов, `…` на
месте обреза) с `highlights`: `[начало, длина]` каждого совпавшего слова в
UTF-16-единицах фрагмента (без разметки, экранировать нечего). `limit` 1–100
(20); при `has_more` передайте `next_before` (это `seq`) как `before` для
следующей страницы. На странице может быть меньше `limit` результатов и даже
ни одного, хотя `has_more` истинно: в PostgreSQL, когда все слова запроса
частые (каждое больше чем в ~20 000 сообщений), но редко встречаются вместе,
один запрос читает не больше 10 000 новейших сообщений ниже `before` (5 000
сообщений чата при `chat_id`) и на этом останавливается, чтобы ни один запрос
не стоил больше; листайте, пока `has_more`, чтобы дойти до более старых
совпадений. PostgreSQL ищет по столбцу `tsvector` с индексом GIN и
конфигурацией `simple` (без стемминга: в чатах смешаны русский и английский, а
стеммеру нужен один язык на текст; префиксы дают почти то же), SQLite — по
индексу FTS5 (`unicode61 remove_diacritics 2`).

{ex:search_messages}

{ex:search_messages_chat}

{ex:search_messages_empty}

### Прочтение — `POST /api/v1/chats/messages/{message_id}/read` и `POST /api/v1/chats/{chat_id}/read`

Прочтение сдвигает ваш курсор: сообщение и всё до него в этом чате становятся
прочитанными для вас. `is_read` у сообщения — его прочитали все участники,
кроме автора; `unread_count` — сообщения других после вашего курсора.
Сообщение чата, в котором вас нет, — 404, точно как неизвестный id.
`POST /chats/messages/{message_id}/read` исходного API отвечает
`{"message_id", "is_read": true}`: этот `is_read` — ваш (курсор теперь покрывает
сообщение), всегда `true`, а не `is_read` самого сообщения (тот остаётся
`false`, пока его не прочли все остальные участники). `POST /chats/{chat_id}/read`
отвечает вашим курсором (`last_read_seq`, назад не сдвигается) и вашим
`unread_count`.

{ex:read_message}

{ex:read_chat}

### Реакции — `PUT` / `DELETE /api/v1/chats/messages/{message_id}/reactions/{emoji}`

Отреагируйте на сообщение чата, в котором вы состоите, одним эмодзи — в пути, в
UTF-8 с процентным кодированием (👍 — это `%F0%9F%91%8D`); `DELETE` снимает вашу
реакцию. Оба запроса идемпотентны: поставить уже стоящую реакцию или снять
отсутствующую — ничего не меняет и события не шлёт. Оба отвечают сообщением с
его нынешними `reactions`.

У каждого сообщения (в ответах и истории) есть `reactions`:
`[{emoji, count, me}]` в порядке, в котором каждый эмодзи впервые появился на
сообщении (новый встаёт последним; снятый всеми и поставленный снова — тоже);
`me` — реагировали ли этим эмодзи **вы**. У нового или удалённого сообщения —
`[]` (удаление сообщения убирает его реакции). Событие `message` (живое или в
`/updates`) показывает сообщение таким, каким оно было отправлено, с `[]`:
следующие за ним события `message_reactions` приводят его к нынешнему виду. В
событиях `message_edited` поля `reactions` нет: правка их не меняет, оставьте
прежние.

Изменение приходит всем участникам чата событием `message_reactions` (в
`/ws/user` и в `/updates`): `{message_id, chat_id, user_id, emoji, added,
reactions}` — кто поставил (`added: true`) или снял какой эмодзи, и весь
нынешний список сообщения как `[{emoji, count}]`, одинаковый для всех, поэтому
без `me`: ваши реакции — те, что поставили вы (ваши другие устройства видят ваш
`user_id` в событии).

Эмодзи — ровно один графемный кластер, являющийся эмодзи: пиктограмма (возможно,
с U+FE0F, тоном кожи, тегами и другими пиктограммами через ZWJ: 👨‍👩‍👧‍👦, 🏳️‍🌈),
флаг (два региональных индикатора: 🇺🇦) или keycap (`1️⃣`); не длиннее 32 кодовых
единиц UTF-16. Всё прочее — буква, два эмодзи, пустой сегмент, неверный UTF-8 —
422 `invalid_emoji`. На сообщении не больше 20 разных эмодзи: 21-й — 409
`reaction_limit_reached` (добавить реакцию к одному из двадцати можно). На
удалённое сообщение реагировать нельзя (409 `message_deleted`); сообщение чата,
в котором вас нет, — 404 `message_not_found`, как и несуществующее. Каждый
пользователь может ставить и снимать `REACTION_RATE` реакций (по умолчанию 30
подряд, затем 2 в секунду), иначе 429 `too_many_reactions` с `Retry-After`.

{ex:react}

{ex:react_invalid}

{ex:react_not_member}

{ex:unreact}

### Пересылка сообщений — `POST /api/v1/chats/messages/forward`

Копирует сообщения чатов, в которых вы состоите, в чаты, в которых вы
состоите: `{message_ids, chat_ids, client_id?}` — от 1 до 100 сообщений и от 1
до 10 чатов, каждое не более одного раза (повтор — 422), и не больше 100 копий
за запрос (сообщения × чаты; больше — 422). Каждая копия — новое ваше
сообщение в целевом чате с текстом оригинала и `forwarded_from: {sender_id,
sender_name}` — автором оригинала под его нынешним именем (имя берётся при
чтении и следует за переименованиями); пересылка пересланного сохраняет
первого автора. Копия ничего не цитирует (`reply_to` — null), без реакций и
ничего не говорит о чате, откуда она. У каждого сообщения есть
`forwarded_from` (null, если это не копия): в ответах, истории, поиске,
событиях `message` и `/updates`.

Всё или ничего, в одной транзакции: несуществующее сообщение или сообщение
чата, где вас нет, — 404 `message_not_found`, несуществующий целевой чат или
чат, где вас нет, — 404 `chat_not_found` (отвечается одинаково), удалённое
сообщение — 409 `message_deleted`; тогда ничего не сохраняется. Ответ —
`{messages}`: копии, по чатам в порядке `chat_ids`, в каждом чате в порядке
оригиналов (по seq). Участники целевых чатов получают их обычными событиями
`message`. С `client_id` повтор безопасен: у каждой копии свой `client_id`,
выведенный из него (UUID v5 от id сообщения и чата в этом пространстве имён),
поэтому тот же запрос ничего не сохраняет и отвечает теми же копиями; другая
пересылка с тем же `client_id` — 409 `client_id_reused`. Каждая копия
считается одним сообщением в `MESSAGE_RATE` (запрос больше запаса требует
полного запаса и уводит его в долг), иначе 429 `too_many_messages` с
`Retry-After`.

{ex:forward}

{ex:forward_twice}

{ex:forward_not_member}

### Закреплённое сообщение — `PUT` / `DELETE /api/v1/chats/{chat_id}/pin`

В чате не больше одного закреплённого сообщения. `PUT` с `{message_id}`
закрепляет сообщение этого чата (заменяя закреплённое); `DELETE` открепляет.
В личном чате может любой участник, в группе — только владелец (403
`not_chat_owner`). Оба запроса идемпотентны (нет изменения — нет события) и
отвечают чатом. Сообщение другого чата или несуществующее — 404
`message_not_found`; удалённое — 409 `message_deleted`.

У каждого чата (чат, списки чатов, ответы на создание, события `chat`) есть
`pinned_message`: null или `{id, seq, sender_id, sender_name, text}` — каким
сообщение стало: нынешнее имя отправителя и начало нынешнего текста (не больше
100 символов, как в `reply_to`); `seq` — для `around_seq` истории. Изменение
приходит участникам событием `chat_pinned` `{chat_id, pinned_message, user_id}`
(в `/ws/user` и в `/updates`); удаление закреплённого сообщения открепляет его
(событие `chat_pinned` с `pinned_message` null). Закрепления считаются в
`CHAT_CHANGE_RATE`.

{ex:pin}

{ex:pin_not_owner}

{ex:pin_other_chat}

{ex:unpin}

### Ваши настройки чата — `PATCH /api/v1/chats/{chat_id}/settings`

Без звука, закрепить наверху, в архив, отметить непрочитанным — у каждого
пользователя свои, другие участники их не видят. В теле любое из полей
`muted_until` (секунды Unix; `null` включает звук; `253402300799`, конец
9999 года, — «навсегда», так что клиент, который просто сравнивает его с
часами, не ошибётся), `pinned` (`true` ставит чат после уже закреплённых, не
больше 5: шестой — 409 `pinned_chats_limit`; `false` открепляет), `archived`,
`marked_unread`; хотя бы одно. В ответе ваши настройки `{muted_until,
pinned_position, archived, marked_unread}`; их же как `settings` несёт каждый
чат в `GET /chats`, `/chats/with-last-message` и `GET /chats/{chat_id}` (но не
события `chat`, одинаковые для всех участников). Истёкший `muted_until`
читается как `null`. Списки по-прежнему упорядочены по активности:
закреплённые чаты ставьте первыми сами (по возрастанию `pinned_position`;
возможны пропуски, важен только порядок), архивные держите отдельно.
`PUT /api/v1/chats/pinned` `{chat_ids}` меняет их порядок: ровно закреплённые
чаты (иначе 422 `pinned_chats_mismatch`), позиции становятся 1, 2, ...

Изменение приходит только на ваши устройства (все ваши сокеты на любом
экземпляре сервера и `/updates`) событием `chat_settings` `{chat_id,
settings}`; без изменения события нет. Сервер сам меняет настройки в двух
случаях: новое сообщение от другого участника возвращает чат из архива, если
в нём не выключен звук (ваши собственные сообщения оставляют его в архиве), а
прочтение чата (любым из запросов прочтения или `read` по WebSocket) и
отправка в него снимают `marked_unread`. Отключение звука — подсказка
клиентам: сервер хранит `muted_until` и доставляет всё как прежде; клиенты не
показывают уведомлений, пока оно в будущем, кроме сообщений, упоминающих вас.
Изменения настроек и порядка считаются в `CHAT_CHANGE_RATE` (429
`too_many_chat_changes`).

{ex:settings_mute}

{ex:settings_archive}

{ex:settings_bad}

{ex:settings_not_member}

{ex:pinned_reorder}

{ex:pinned_mismatch}

{ex:settings_in_chat}

{ex:settings_events}

### Правка и удаление своего сообщения

{ex:edit}

{ex:edit_not_mine}

Удаление оставляет на месте сообщения «надгробие» (`deleted: true`, пустой текст),
а прежние события `message_edited` этого сообщения тоже становятся надгробиями
`message_deleted`: ни в истории, ни в `/updates` текста удалённого сообщения не
остаётся:

{ex:delete}

### Догоняющая синхронизация — `GET /api/v1/updates?since_seq=N`

Всё, что произошло в ваших чатах после `seq` N, по порядку, в том же виде, что
события WebSocket: новые сообщения, правки, удаления, прочтения, изменения
чатов. `since_seq` обязателен (0 — с самого начала); `limit` 1–1000, по
умолчанию 200. Пока `has_more`, продолжайте с `last_seq`.

{ex:updates}

Изменение попадает в `/updates`, когда его прочла лента событий сервера.
Изменение, сделанное через тот же сервер, есть там, как только пришёл ответ на
него: `/updates` сначала даёт ленте прочесть всё, что этот сервер записал
(миллисекунды). На PostgreSQL лента всё же может ждать до 5 с позади более
ранней, ещё не завершённой транзакции, а при нескольких экземплярах за
балансировщиком изменение, сделанное через другой экземпляр, появляется через
несколько миллисекунд после ответа. Поэтому клиенту не стоит полагаться на то,
что его отправка есть в `/updates` в тот же миг, когда пришёл ответ: сообщение у
него уже есть из ответа, а событие `message` придёт по сокету.

`since_seq` больше всего, что есть на сервере (клиент сохранил `seq` базы,
которую сбросили или восстановили из копии), даёт пустой список событий,
`has_more: false` и `last_seq` меньше присланного `since_seq` — самый новый `seq`
сервера. Такому клиенту стоит забыть сохранённое и загрузить всё заново:

{ex:updates_beyond}

## Файлы

Файлы передаются отдельно от сообщений: сначала загрузите файл по протоколу
возобновляемых загрузок [tus 1.0](https://tus.io/protocols/resumable-upload)
(расширения `creation`, `expiration`, `termination`) на `/api/v1/uploads`,
затем отправьте сообщение, в `attachment_ids` которого указан этот файл.
Подойдёт любой клиент tus (tus-js-client, tus-java-client, TUSKit...), а
запросы — обычный HTTP. Каждый tus-запрос, кроме `OPTIONS` и `GET`, несёт
`Tus-Resumable: 1.0.0` (иначе 412 `tus_version_unsupported`), и каждый ответ
маршрутов загрузки тоже.

### Возможности сервера — `OPTIONS /api/v1/uploads`

Токен не нужен. `Tus-Max-Size` — наибольший размер файла (`UPLOAD_MAX_MB`, по
умолчанию 100 МиБ); `Messenger-Max-Chunk-Size` — наибольшее тело одного
`PATCH`: **1 МиБ** (1048576 байт; кусок больше — это 413 `body_too_large`, и из
него ничего не сохраняется). Поэтому файл передаётся кусками не больше 1 МиБ:
размер куска в клиенте tus (`chunkSize` в tus-js-client) должен быть не больше
этого значения.

{ex:files_options}

### Загрузка — `POST`, `PATCH`, `HEAD /api/v1/uploads/{upload_id}`

`POST /api/v1/uploads` с `Upload-Length` (размер в байтах; длина, сообщаемая
позже, `Upload-Defer-Length`, не поддерживается) и, по желанию,
`Upload-Metadata`: пары `ключ base64(значение)` через запятую, из которых
сервер берёт `filename` (имя, которое видят участники, без папок и
управляющих символов, не длиннее 255 символов). `filetype` принимается и
не используется: тип сервер определяет по содержимому. Ответ 201 несёт адрес
загрузки в `Location` и саму загрузку в JSON (`Upload`):

{ex:files_create}

Затем отправляйте байты на этот адрес по порядку, запросами `PATCH`, каждый
кусок с `Content-Type: application/offset+octet-stream` и `Upload-Offset`,
равным числу уже полученных байтов; `Upload-Offset` ответа — новое значение:

{ex:files_patch}

**Возобновление.** После обрыва связи, сбоя или перезапуска (клиента или
сервера) узнайте, где остановилась загрузка, запросом `HEAD` и отправьте
остаток начиная с её `Upload-Offset`; всё подтверждённое сохранено. Кусок,
который начинается не там, отклоняется (409 `offset_mismatch`), так что ничего
не записывается дважды или не по порядку:

{ex:files_head}

{ex:files_offset_mismatch}

Кусок, завершающий загрузку, превращает её в файл **до** ответа, так что
сообщение можно отправлять сразу. `GET` по адресу загрузки (без
`Tus-Resumable`) показывает её в JSON, с получившимся файлом в `file`; `id`
файла совпадает с `id` загрузки:

{ex:files_patch_last}

{ex:files_upload}

tus-запрос без `Tus-Resumable`:

{ex:files_no_version}

`DELETE` по адресу загрузки (tus termination) удаляет загрузку, законченную или
нет, вместе с её байтами; файл, который несёт сообщение, принадлежит
сообщению (409 `file_attached`: удалите сообщение):

{ex:files_delete_attached}

**Срок жизни.** У загрузки есть `UPLOAD_EXPIRY` (по умолчанию 24 часа), чтобы
завершиться, и у готового файла ещё столько же, чтобы попасть в сообщение;
иначе сервер удаляет его вместе с байтами (`Upload-Expires`, `expires_at`).
Файл, который несёт сообщение, больше не истекает: он живёт, пока его несёт
хоть одно сообщение (исходное или пересланная копия), и удаляется вместе с
последним из них.

**Ограничения.** `Upload-Length` не больше `UPLOAD_MAX_MB` (413
`file_too_large`); ваши файлы и незаконченные загрузки вместе (по объявленной
длине) не больше `STORAGE_QUOTA_MB`, по умолчанию 1 ГиБ (413
`storage_quota_exceeded`); одновременно не больше `UPLOADS_IN_PROGRESS_MAX`
незаконченных загрузок, по умолчанию 10 (429 `too_many_uploads`). Проверки
идут под блокировкой по пользователю: одновременные создания не могут все
вместе проскочить под квотой. **Дедупликация:** байты одинаковых файлов (один
SHA-256) хранятся один раз, кто бы их ни загрузил; при этом каждая загрузка —
отдельный файл со своим именем, владельцем и сроком.

**Изображения.** У JPEG, PNG или GIF (их узнают по байтам, а не по имени) есть
`width` и `height` в том виде, как изображение показывается (с учётом
ориентации из EXIF), и миниатюра, вписанная в 320×320 (JPEG, или PNG, если в
изображении есть прозрачность; без увеличения). Отдаётся очищенная версия:
сегменты APP в JPEG (EXIF с координатами GPS и данными камеры, XMP,
комментарии) и текстовые блоки PNG удаляются, так что ни местоположение, ни
данные камеры не доходят до других участников; JPEG с поворотом в EXIF
перекодируется уже повёрнутым; GIF отдаётся как загружен. `size` — размер
отдаваемого файла. Изображение, которое не удаётся декодировать или которое
больше 32 МиБ или 50 мегапикселей, хранится как обычный файл
(`application/octet-stream`, без размеров и миниатюры, байты как загружены,
отдаётся для скачивания).

### Отправка файлов — `attachment_ids`

`POST /api/v1/chats/messages` (и `send` по WebSocket) принимают
`attachment_ids`: до 10 id ваших законченных загрузок, в порядке показа. С
файлами `text` — подпись, она может быть пустой или отсутствовать. У каждого
сообщения есть `attachments` (`[]`, если файлов нет): `{id, name, size,
mime_type, width, height, thumbnail_url, url}` — в ответах, истории, поиске,
событиях `message` и `message_edited` и в `/updates`; у `last_message` в
списке чатов тоже. Пересланная копия несёт те же файлы (те же id: байты не
копируются). У удалённого сообщения `attachments: []`, а его файлы удаляются,
если их не несёт другое сообщение.

{ex:files_send}

id, который не указывает на ваш файл (чужой, неизвестный, истёкший), — это 404
`attachment_not_found`; загрузка, которой ещё не хватает байтов, — 409
`upload_incomplete`. Ничего не сохраняется.

{ex:files_send_foreign}

### Скачивание — `GET /api/v1/files/{file_id}`, `/api/v1/files/{file_id}/thumbnail`

Скачать файл может тот, кто его загрузил, и участник чата, в котором его
несёт сообщение (фото профиля и групп — см. ниже). Все остальные получают 404 `file_not_found` — тот же ответ,
что и для несуществующего файла; участник, удалённый из чата, сразу теряет
доступ (и по подписанным ссылкам тоже).

`Range` (один диапазон: `bytes=0-99`, `bytes=100-`, `bytes=-500`) даёт 206 с
`Content-Range`, так что прерванное скачивание продолжается с места
остановки; диапазон за концом файла — 416 `range_not_satisfiable`. `ETag` —
SHA-256 содержимого: `If-None-Match` даёт 304, а `If-Range` применяет диапазон,
только пока файл тот же, что у вас. `HEAD` отдаёт одни заголовки.

{ex:files_range}

{ex:files_not_modified}

{ex:files_not_member}

Как есть и `inline` отдаются только `image/jpeg`, `image/png` и `image/gif`;
всё остальное приходит как `application/octet-stream` с
`Content-Disposition: attachment`, каким бы ни был тип, и в каждом ответе есть
`X-Content-Type-Options: nosniff` и `Content-Security-Policy: default-src
'none'; sandbox`, так что никакая загрузка (HTML-страница, SVG со скриптом) не
может выполниться в источнике (origin) сервера. `Cache-Control: private,
no-cache`: браузер может хранить файл, но перед использованием переспрашивает
(304). Одновременно идут не больше 8 скачиваний одного пользователя (512 всего);
сверх этого — 429 `too_many_downloads` с `Retry-After`.

{ex:files_image_head}

{ex:files_thumbnail}

### Подписанные ссылки — `GET /api/v1/files/{file_id}/link`

Там, где заголовок `Authorization` не отправить (`<img src>`, видеоплеер,
менеджер загрузок), запросите подписанные адреса: они работают без токена до
`expires_at`, то есть `FILE_LINK_LIFETIME` секунд (по умолчанию 600) с момента
запроса, — для файла и его миниатюры (`thumbnail_url`, null, если её нет).
Ссылка действует от имени запросившего её пользователя, и при каждом
обращении проверяется, что он всё ещё может видеть файл; изменённая, истёкшая
или выданная для другого пути подпись — это 401 `invalid_link`. До истечения
ссылкой может воспользоваться любой, у кого она есть: передавайте её только
своему же приложению.

{ex:files_link}

{ex:files_link_use}

### С tus-js-client

```js
import * as tus from "tus-js-client";

const upload = new tus.Upload(file, {
  endpoint: "https://chat.example.com/api/v1/uploads",
  chunkSize: 1048576,                 // не больше Messenger-Max-Chunk-Size
  retryDelays: [0, 1000, 3000, 5000], // после обрыва связи продолжает сам
  headers: { Authorization: `Bearer ${accessToken}` },
  // Долгая загрузка может пережить access-токен: свежий для каждого запроса.
  onBeforeRequest: (request) => request.setHeader("Authorization", `Bearer ${currentAccessToken()}`),
  metadata: { filename: file.name, filetype: file.type },
  onProgress: (sent, total) => showProgress(sent / total),
  onError: (error) => showError(error),
  onSuccess: async () => {
    const fileId = upload.url.split("/").pop(); // id файла совпадает с id загрузки
    await sendMessage({ chat_id: chatId, text: caption, attachment_ids: [fileId] });
  },
});
// Загрузка, не законченная в прошлый раз (tus-js-client её помнит), продолжается с того же места.
const previous = await upload.findPreviousUploads();
if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
upload.start();
```

### Фото профиля и групп — `PUT` / `DELETE /api/v1/users/me/avatar`, `/api/v1/chats/{chat_id}/avatar`

Фото делается из вашей законченной загрузки (загрузите его как любой файл и
укажите её): `PUT` с `{"upload_id"}`. Сервер берёт центральный квадрат
изображения (с учётом ориентации EXIF), уменьшает его до 512×512 (меньшее
изображение сохраняет свой размер: не увеличивается) и хранит как отдельный
JPEG без метаданных, с миниатюрой 128×128. Сама загрузка остаётся как была
(истекает, если её не несёт сообщение); файл фото не истекает, пока он фото, а
файл прежнего фото удаляется. Загрузка, которая не JPEG, PNG или GIF, который
удаётся декодировать, — 422 `avatar_not_an_image`; не ваша законченная
загрузка — 404 `upload_not_found`. `DELETE` убирает фото. Каждое изменение
считается в лимит изменений групп (429 `too_many_chat_changes`).

`User.avatar_url` и `Chat.avatar_url` — `null`, если фото нет, иначе путь его
файла, `/api/v1/files/{file_id}` (скачивается с вашим токеном; миниатюра —
`/api/v1/files/{file_id}/thumbnail`, а `/link` подписывает обе ссылки для
`<img>`). Новое фото — новый файл, поэтому URL меняется вместе с ним, и копия в
кэше никогда не покажет старое фото. Фото профиля может скачать любой
вошедший пользователь, фото группы — только её участники. `avatar_url` есть у
каждого пользователя в каждом ответе (участники, отправители сообщений,
поиск); у личных чатов своего фото нет (показывайте фото собеседника).

{ex:avatar_set}

{ex:avatar_download}

{ex:avatar_not_image}

{ex:avatar_not_yours}

Фото группы ставит и убирает её владелец (`PUT` / `DELETE
/api/v1/chats/{chat_id}/avatar`, ответ — чат): другой участник получает 403
`not_chat_owner`, личный чат — 400 `personal_chat`.

{ex:chat_avatar_set}

{ex:chat_avatar_not_owner}

{ex:chat_avatar_remove}

{ex:avatar_remove}

Что узнают другие (в `/ws/user` и из `/updates`): смена фото профиля — событие
`user_updated` с пользователем целиком, всем, с кем у вас общий чат, и вашим
другим устройствам, как при смене имени; смена фото группы — событие
`chat_updated` `{chat_id, avatar_url}` её участникам. Удаление фото, которого
нет, ничего не меняет и ничего не отправляет.

{ex:avatar_events}

## WebSocket

Все команды, кадры и события ниже описаны (со схемами JSON) в документе
AsyncAPI `GET /asyncapi.json`. Подключайтесь к `/ws/user` (всё ваше) или
`/ws/{chat_id}` (сокет исходного API для одного чата), с токеном в `?token=` или в заголовке `Authorization: Bearer`
запроса на upgrade. Дождитесь приветствия, прежде чем отправлять. О чате узнают
только его участники.

Приветствие, `{"status": "connected", "user_id", "seq"}` (и `"chat_id"` на
`/ws/{chat_id}`), называет точку, с которой начинается живой поток сокета:
дальше приходят ровно события с большим `seq`, ничего с `seq` не больше него.
То, что записано прямо перед подключением, может оказаться по любую сторону
этой точки; чтобы не пропустить ничего с известного вам места, подключайтесь с
`since_seq` (см. «Возобновление») или прочитайте `/updates` до `seq`
приветствия. Клиент, у которого ещё нет точки возобновления, может взять её из
`seq` приветствия.

Отклонённый токен (затем сокет закрывается с кодом 1008):

{ex:ws_refused}

### `/ws/user`

Команды: `send` (ответ — `ack` или `error` с тем же `client_id`), `typing` и
`read` (при успехе без ответа; обе принимают необязательный `client_id`),
`ping`, `auth`. События: `message`, `message_edited`, `message_deleted`,
`read`, `chat` (новый чат целиком), `chat_renamed`, `chat_pinned` (сменилось
закреплённое сообщение: `{chat_id, pinned_message, user_id}`), `chat_updated`
(фото группы поставлено или убрано: `{chat_id, avatar_url}`), `chat_settings`
(сменились ваши настройки чата: `{chat_id, settings}`, только на ваши
устройства), `members_added` (и вам, если
добавили вас), `member_left`, `chat_removed` (вы вышли или вас удалили),
`session_revoked` (одна из ваших сессий завершена: `{"session_id"}`),
`user_updated` (кто-то из общего с вами чата или вы на другом устройстве
сменили имя или фото: пользователь целиком), `typing`, `presence` (см. «Присутствие»);
каждое — `{"type", "seq", "data"}` (у
`typing` и `presence` нет `seq`: они не сохраняются). Ваши собственные сообщения тоже
приходят событием `message`, после `ack`.

{ex:ws_user}

{ex:ws_typing_read}

В каждом кадре `error` есть `detail` и `code` из таблицы выше (кадр — не
JSON-объект: `malformed_json`; неверная команда, в том числе неизвестный `type`:
`validation_error`; `not_a_member`, `chat_not_found`, `too_many_messages`...), а
если он отвечает на команду с `client_id` — и этот `client_id` в том виде, в
каком его прислали, даже когда неверна сама команда (пустой или слишком длинный
текст, неверный `chat_id`). При превышении лимита сообщений в `error` есть `"retry_after"`
(секунды): отправьте тот же кадр снова через это время. На неверный кадр
приходит `error`, сокет остаётся открытым. Кадр больше 64 КиБ закрывает сокет (1009); больше 30
кадров в секунду (подряд до 60), кроме отправок, включая ping, pong и фрагменты,
— тоже (1008, причина `too many frames`), как и больше 4 МиБ, ждущих клиента,
который их не читает, включая pong (1008, `too much unread data`; возобновите
позже). Сервер шлёт ping каждые 30 с и отключает клиента, молчащего 75 с.
Одновременно открыто или открывается не больше 16 сокетов одного пользователя и
500 с одного адреса.

### Срок токена и `auth`

Сокет живёт, пока действует access-токен, с которым он открыт: когда токен
истекает, сервер закрывает сокет с кодом **4001** (`token expired`). Чтобы
сохранить сокет, пришлите до этого свежий access-токен той же сессии прямо в
сокет: `{"type": "auth", "token": "<access_token>"}` (и на `/ws/{chat_id}`);
ответ `{"type": "authenticated", "expires_in": N}` — сколько секунд теперь есть
у сокета. Токен другой сессии или неверный получает `error` и ничего не
меняет. Когда сессия сокета завершается (выход, `DELETE /sessions/{id}`,
повторно использованный refresh-токен), сокет закрывается с кодом **4003**
(`session revoked`): войдите заново. После 4001 обновите токены и
переподключитесь.

{ex:ws_auth}

{ex:ws_revoked}

### Возобновление

Переподключитесь с `since_seq` = наибольший виденный `seq`: сервер сначала
пришлёт по порядку всё пропущенное — всё в (`since_seq`, `seq` приветствия] —
затем перейдёт к живым событиям после `seq` приветствия, без пропусков и
повторов. Неподтверждённое отправьте снова с теми же `client_id`.

{ex:ws_resume}

### `/ws/{chat_id}` (сокет исходного API)

{ex:ws_seed}

## Эксплуатация

- `GET /health`: 200, если база отвечает, иначе 503.

{ex:health}

- `GET /metrics`: метрики Prometheus (держите внутри своей сети). Список рядов и
  панель Grafana (`docker/grafana-dashboard.json`): README, раздел Operations.
- `GET /openapi.json`, `GET /asyncapi.json`, `GET /docs`: этот API в виде OpenAPI
  3.0 (REST) и AsyncAPI 2.6 (WebSocket) и в отрисованном виде.

## Отличия от исходного API

Ничего не удалено и не переименовано; клиент исходного API работает без
изменений. Добавлено:

- `refresh_token` и `expires_in` в ответе на вход; `/auth/refresh`
  (refresh-токены с ротацией) и `/auth/logout`; сессии (`sid` в access-токенах,
  `GET /sessions`, `DELETE /sessions/{id}`, `POST /sessions/revoke-others`,
  `device_name` при входе).
- `PATCH /users/me` (имя, событие `user_updated`) и `POST /users/me/password`
  (завершает сессии на других устройствах).
- Фото профиля и групп (`/users/me/avatar`, `/chats/{id}/avatar`; `avatar_url`
  у пользователей и чатов; событие `chat_updated`).
- Access-токен обязан называть сессию (`sid`): токены без неё, как у исходного
  сервера, отклоняются.
- `GET /users/me`, `GET /users?query=` (поиск собеседника).
- У каждого сообщения: `seq`, `chat_seq`, `edited_at`, `deleted`, `client_id`;
  в истории `total` и `has_more`, постраничный доступ по ключу (`before_seq`,
  `after_seq`).
- Курсоры прочтения (`POST /chats/{id}/read`), `unread_count`, и `is_read` в
  значении «прочитано всеми остальными участниками».
- Управление группой (переименование, добавление, удаление, выход), правка и
  удаление сообщений.
- Идемпотентная отправка (`client_id`), `GET /updates` и возобновление по
  `since_seq`.
- Команды `/ws/user` (`send` с `ack`, `typing`, `read`, `ping`, `auth`) и
  события кроме `message`; сокеты закрываются с кодом 4001, когда истекает их
  токен, и 4003, когда завершается их сессия.
- Строже ко входным данным: `/auth/token` принимает только JSON (иначе 415),
  все поля проверяются (422), лимиты частоты отвечают 429.
- У каждой ошибки есть `code` (и у 422 — рядом со списком `detail`, как в FastAPI).
- Файлы: возобновляемые загрузки tus (`/uploads`), `attachment_ids` и `attachments`
  у сообщений, скачивание с диапазонами и подписанные ссылки (`/files`).
"""


def render(template):
    out = template
    for name, snippet in EX.items():
        out = out.replace("{ex:" + name + "}", snippet)
    missing = [part.split("}")[0] for part in out.split("{ex:")[1:]]
    if missing:
        sys.exit("examples missing: " + ", ".join(missing))
    return out


for filename, template in (("API_DOCUMENTATION.md", EN), ("API_DOCUMENTATION.ru.md", RU)):
    with open(os.path.join(ROOT, filename), "w", encoding="utf-8") as file:
        file.write(render(template))
print("wrote API_DOCUMENTATION.md and API_DOCUMENTATION.ru.md from", BASE)
