#!/usr/bin/python3
"""Real clients for tests/ops/container.sh: REST with urllib, WebSockets with
the `websockets` module (python3-websockets, a test dependency).

  chat.py single URL -- STOP_COMMAND...
      Two users on one server; a message sent over REST arrives on the other's
      /ws/user socket. Then STOP_COMMAND (podman stop) runs while the socket is
      open: it must exit 0 and the socket must be closed with 1001.

  chat.py pair ENTRY_URL URL_A URL_B
      Two users registered through ENTRY_URL (nginx); Alice's socket on
      instance A, Bob's on instance B; a message sent through A arrives at Bob
      on B, and one sent through B arrives at Alice on A.

Exits non-zero with a FAIL line on the first thing that does not hold.
"""
import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import websockets

TIMEOUT = 20  # seconds for any single expected event


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def request(base, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        fail(f"{method} {base}{path} answered {error.code}: {error.read().decode(errors='replace')}")


class User:
    def __init__(self, base, name):
        self.name = name
        self.email = f"{name.lower()}.{uuid.uuid4().hex[:8]}@example.com"
        password = "correct horse battery"
        self.id = request(base, "POST", "/api/v1/auth/register",
                          {"email": self.email, "name": name, "password": password})["id"]
        self.token = request(base, "POST", "/api/v1/auth/token",
                             {"email": self.email, "password": password})["access_token"]


def ws_url(base, token):
    return base.replace("http://", "ws://", 1) + "/ws/user?token=" + token


async def connect(base, user):
    socket = await websockets.connect(ws_url(base, user.token))
    greeting = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
    if greeting.get("status") != "connected" or greeting.get("user_id") != user.id:
        fail(f"{user.name}'s greeting on {base}: {greeting}")
    return socket


async def expect_message(socket, who, text):
    """Waits for the `message` event carrying `text`; other events are skipped."""
    async def wait():
        while True:
            event = json.loads(await socket.recv())
            if event.get("type") == "message" and event["data"].get("text") == text:
                return event
    try:
        return await asyncio.wait_for(wait(), TIMEOUT)
    except asyncio.TimeoutError:
        fail(f"{who} did not receive {text!r} within {TIMEOUT} s")


def send(base, sender, chat_id, text):
    message = request(base, "POST", "/api/v1/chats/messages",
                      {"chat_id": chat_id, "text": text, "client_id": str(uuid.uuid4())}, sender.token)
    if message.get("text") != text or message.get("sender_id") != sender.id:
        fail(f"send answered {message}")


def personal_chat(base, owner, other):
    return request(base, "POST", "/api/v1/chats/personal",
                   {"type": "personal", "member_ids": [other.id]}, owner.token)["id"]


async def single(base, stop_command):
    alice, bob = User(base, "Alice"), User(base, "Bob")
    chat_id = personal_chat(base, alice, bob)
    bob_socket = await connect(base, bob)
    send(base, alice, chat_id, "Hello from the container")
    await expect_message(bob_socket, "Bob", "Hello from the container")
    print("single: a REST message arrived on the other user's WebSocket")

    # podman stop sends the image's STOPSIGNAL (SIGTERM): the server drains and
    # closes its sockets with 1001 (going away) before it exits.
    stopping = asyncio.create_task(asyncio.to_thread(
        subprocess.run, stop_command, capture_output=True, text=True))
    try:
        await asyncio.wait_for(bob_socket.wait_closed(), 60)
    except asyncio.TimeoutError:
        fail("the WebSocket stayed open after podman stop")
    stopped = await stopping
    if stopped.returncode != 0:
        fail(f"{' '.join(stop_command)} exited {stopped.returncode}: {stopped.stderr}")
    if bob_socket.close_code != 1001:
        fail(f"the WebSocket was closed with {bob_socket.close_code} "
             f"({bob_socket.close_reason!r}), not 1001")
    print("single: podman stop closed the WebSocket with 1001")


async def pair(entry, url_a, url_b):
    alice, bob = User(entry, "Alice"), User(entry, "Bob")
    chat_id = personal_chat(entry, alice, bob)
    alice_socket = await connect(url_a, alice)
    bob_socket = await connect(url_b, bob)
    send(url_a, alice, chat_id, "From Alice through instance A")
    await expect_message(bob_socket, "Bob on instance B", "From Alice through instance A")
    await expect_message(alice_socket, "Alice on instance A", "From Alice through instance A")
    send(url_b, bob, chat_id, "From Bob through instance B")
    await expect_message(alice_socket, "Alice on instance A", "From Bob through instance B")
    await expect_message(bob_socket, "Bob on instance B", "From Bob through instance B")
    await alice_socket.close()
    await bob_socket.close()
    print("pair: messages crossed between the two instances both ways")


def main(args):
    if len(args) >= 3 and args[0] == "single" and args[2] == "--":
        asyncio.run(single(args[1], args[3:]))
    elif len(args) == 4 and args[0] == "pair":
        asyncio.run(pair(*args[1:]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
