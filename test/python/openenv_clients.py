"""Drives a DataSelectEnv server with OpenEnv's own Python clients and prints what they saw as JSON.

Run by test/server/python-clients.test.ts when an OpenEnv checkout and a Python with its
dependencies are given (OPENENV_SRC, OPENENV_PYTHON); not part of the server. Usage:
    python openenv_clients.py http://127.0.0.1:PORT
Each scenario plays one episode and reports rewards, done flags, observations' keys and the grade,
so the test can compare them with the same episode played in process.
"""

import asyncio
import json
import sys

from openenv.core.generic_client import GenericEnvClient
from openenv.core.mcp_client import MCPToolClient

BALANCED = {"action_type": "select_batch", "batch_size": 10,
            "strategy_weights": {"uncertainty": 0.4, "diversity": 0.4, "random": 0.2}}


async def take_balanced_actions_to_the_end(client, rewards):
    """Calls the take_action tool with BALANCED until the episode is done, appending each reward to
    `rewards`; returns the last tool result."""
    done = False
    payload = None
    while not done:
        payload = await client.call_tool("take_action", **BALANCED)
        rewards.append(payload["reward"])
        done = payload["done"]
    return payload


async def generic(url):
    """GenericEnvClient over /ws: reset by task and seed, balanced steps to the end."""
    out = {"rewards": [], "observations": []}
    async with GenericEnvClient(base_url=url) as env:
        r = await env.reset(task_id="hard", seed=42)
        out["reset_observation"] = r.observation
        done = False
        while not done:
            r = await env.step(BALANCED)
            out["rewards"].append(r.reward)
            out["observations"].append(r.observation)
            done = r.done
        out["state"] = await env.state()
    return out


async def mcp_step_path(url):
    """MCPToolClient as this snapshot runs it by default: tools as /ws steps after reset()."""
    out = {"rewards": []}
    client = MCPToolClient(base_url=url)
    try:
        await client.reset(task_id="medium", seed=7)
        out["tools"] = [t.name for t in await client.list_tools()]
        payload = await take_balanced_actions_to_the_end(client, out["rewards"])
        out["grade"] = await client.call_tool("grade_episode", episode_id=payload["episode_id"])
        try:
            await client.call_tool("no_such_tool")
        except RuntimeError as e:
            out["unknown_tool_error"] = str(e)
    finally:
        await client.close()
    return out


async def mcp_http_path(url):
    """MCPToolClient with use_production_mode: session, tools/list and tools/call over HTTP /mcp."""
    out = {"rewards": []}
    client = MCPToolClient(base_url=url)
    client.use_production_mode = True
    try:
        out["tools"] = [t.name for t in await client.list_tools()]
        started = await client.call_tool("start_episode", task_id="easy", seed=3)
        await take_balanced_actions_to_the_end(client, out["rewards"])
        out["grade"] = await client.call_tool("grade_episode", episode_id=started["episode_id"])
        out["session_id"] = client._production_session_id
    finally:
        await client.close()
    return out


async def mcp_attached(url):
    """The later client's production connect (mcp_client.py 00173d4, _connect_async) on this
    snapshot's EnvClient: create the session, open /ws?session_id=, reset() on the socket,
    take_action over HTTP; detach the socket before closing the session, as that client does."""
    out = {"rewards": []}
    client = MCPToolClient(base_url=url)
    client.use_production_mode = True
    sid = await client._ensure_production_session()
    plain = client._ws_url
    client._ws_url = f"{plain}?session_id={sid}"
    try:
        await client.connect()
    finally:
        client._ws_url = plain
    try:
        r = await client.reset(task_id="hard", seed=42)
        out["reset_done"] = r.done
        payload = await take_balanced_actions_to_the_end(client, out["rewards"])
        out["state"] = (await client.state()).model_dump()
        out["grade"] = await client.call_tool("grade_episode", episode_id=payload["episode_id"])
    finally:
        await client.disconnect()
        closing = await client._production_mcp_request("openenv/session/close", {"session_id": sid})
        out["closed"] = closing.get("result")
        client._production_session_id = None
        await client.close()
    return out


async def main(url):
    report = {}
    for name, scenario in [("generic", generic), ("mcp_step", mcp_step_path),
                           ("mcp_http", mcp_http_path), ("mcp_attached", mcp_attached)]:
        report[name] = await scenario(url)
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
