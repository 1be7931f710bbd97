#!/usr/bin/env python3
"""Prints each failed test of the given .trx files with the first lines of its message,
so that the end of a long CI log says what failed."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
MAX_LINES = 12

for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as error:
        print(f"(could not read {path}: {error})")
        continue
    for result in root.iter(f"{NS}UnitTestResult"):
        if result.get("outcome") != "Failed":
            continue
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
        if message is not None and message.text:
            lines = [line[:300] for line in message.text.strip().splitlines()]
            lines = [line for line in lines if line.strip()]
            for line in lines[:MAX_LINES]:
                print(f"    {line}")
            if len(lines) > MAX_LINES:
                print(f"    ... {len(lines) - MAX_LINES} more lines in the .trx")
