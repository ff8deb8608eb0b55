"""Reading values of the synthesized template that CloudFormation computes at deploy time."""

from __future__ import annotations

import json


def render(value) -> str:
    """A template value as text: `Fn::Join` joined, a reference as `<LogicalId>` or
    `<LogicalId.Attribute>`, any other function as `<Fn::Name>`; so a value built from references
    reads like the string it will be, and two built alike render alike."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        [(function, argument)] = value.items()
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(render(part) for part in parts)
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        return f"<{function}:{json.dumps(argument, sort_keys=True, separators=(',', ':'))}>"
    raise TypeError(f"not a template value: {value!r}")


def logical_id(template, resource_type: str, prefix: str) -> str:
    """The logical id of the one resource of `resource_type` whose id starts with `prefix`."""
    [found] = [name for name in template.find_resources(resource_type) if name.startswith(prefix)]
    return found
