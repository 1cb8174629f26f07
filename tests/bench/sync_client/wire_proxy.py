#!/usr/bin/env python3
"""Counts the bytes on the wire between casepack and casepackd (tests/bench/sync_client/run.sh wire).

wire_proxy.py UPSTREAM_PORT STATE_FILE: listens on 127.0.0.1 (a free port, written to STATE_FILE.port) and
forwards every connection to 127.0.0.1:UPSTREAM_PORT unchanged (the TLS records as they are: the client
still checks the pinned certificate end to end). After every connection closes it writes
"UP DOWN OPEN" to STATE_FILE: bytes client->server and server->client so far, connections still open.
"""
import asyncio
import os
import sys

up = down = open_conns = 0
state = sys.argv[2]


def write_state():
    tmp = state + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{up} {down} {open_conns}\n")
    os.replace(tmp, state)


async def pipe(reader, writer, direction):
    global up, down
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if direction == "up":
                up += len(data)
            else:
                down += len(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def handle(client_reader, client_writer):
    global open_conns
    open_conns += 1
    write_state()
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", int(sys.argv[1]))
        await asyncio.gather(pipe(client_reader, server_writer, "up"), pipe(server_reader, client_writer, "down"))
    finally:
        open_conns -= 1
        write_state()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    write_state()
    with open(state + ".port", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    async with server:
        await server.serve_forever()


asyncio.run(main())
