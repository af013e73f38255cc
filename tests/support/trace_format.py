"""The Chrome Trace Event Format, as far as ``proclab run --perfetto`` writes it, as a JSON schema
(used by the writer's unit tests and by the CLI's lab test)."""

from __future__ import annotations

# The Trace Event Format's JSON Object Format, as far as proclab writes it: every event has
# ph, name, pid and tid; all but metadata have ts (integer microseconds); X has dur; i has s;
# flow events have an id.
SCHEMA = {
    "type": "object",
    "required": ["traceEvents"],
    "properties": {
        "traceEvents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["ph", "name", "pid", "tid"],
                "properties": {
                    "ph": {"enum": ["M", "X", "i", "s", "f"]},
                    "name": {"type": "string", "minLength": 1},
                    "pid": {"type": "integer", "minimum": 1},
                    "tid": {"type": "integer", "minimum": 1},
                    "ts": {"type": "integer", "minimum": 0},
                    "dur": {"type": "integer", "minimum": 0},
                    "args": {"type": "object"},
                    "s": {"enum": ["g", "p", "t"]},
                },
                "allOf": [
                    {
                        "if": {"properties": {"ph": {"const": "M"}}},
                        "then": {"required": ["args"]},
                        "else": {"required": ["ts"]},
                    },
                    {"if": {"properties": {"ph": {"const": "X"}}}, "then": {"required": ["dur"]}},
                    {"if": {"properties": {"ph": {"const": "i"}}}, "then": {"required": ["s"]}},
                    {
                        "if": {"properties": {"ph": {"enum": ["s", "f"]}}},
                        "then": {"required": ["id"]},
                    },
                ],
            },
        },
        "displayTimeUnit": {"enum": ["ms", "ns"]},
        "otherData": {"type": "object"},
    },
}
