#!/usr/bin/env python3
"""Summarizes the .NET crash reports (*.crashreport.json, written by the runtime when a process
dies of a fatal signal or an unhandled exception with DOTNET_EnableCrashReport=1): the process,
the signal or exception, and the top frames of the thread that crashed, so that a CI log names
the code a crash came from."""
import json
import sys

MAX_FRAMES = 40


def frame_text(frame):
    method = frame.get("method_name") or frame.get("native_symbol") or frame.get("unmanaged_name") or "?"
    module = frame.get("filename") or frame.get("module_name") or frame.get("native_module") or ""
    offset = frame.get("il_offset") or frame.get("native_offset") or ""
    return f"{method} [{module}] {offset}".strip()


for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as stream:
            report = json.load(stream)
    except (OSError, ValueError) as error:
        print(f"(could not read {path}: {error})")
        continue
    payload = report.get("payload", report)
    parameters = report.get("parameters", {})
    print(f"CRASH REPORT {path}")
    print(f"    process: {payload.get('process_name', '?')}  {' '.join(f'{k}={v}' for k, v in parameters.items())}")
    threads = payload.get("threads", [])
    crashed = [t for t in threads if str(t.get("crashed")).lower() == "true"] or threads[:1]
    for thread in crashed:
        exception = thread.get("managed_exception")
        if exception:
            print(f"    exception: {exception.get('type', '?')}: {exception.get('message', '')}")
        print(f"    thread {thread.get('native_thread_id', '?')} (managed: {thread.get('is_managed', '?')}):")
        frames = thread.get("stack_frames", [])
        for frame in frames[:MAX_FRAMES]:
            print(f"      {frame_text(frame)}")
        if len(frames) > MAX_FRAMES:
            print(f"      ... {len(frames) - MAX_FRAMES} more frames")
