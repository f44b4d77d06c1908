#!/usr/bin/env python3
"""Checks lab manifests against labs/lab.schema.json (ctest manifest:schema).

    validate_manifests.py SCHEMA MANIFEST...              every manifest must be valid
    validate_manifests.py --expect-invalid SCHEMA FILE... every file must be refused

Each problem is printed as "FILE: KEY PATH: what is wrong", e.g.
"labs/01-queues/lab.json: tasks/1/points: '15' is not of type 'number'".
Exit 0 when every file came out as expected, 1 otherwise, 77 (ctest: skipped) when the
python3-jsonschema package (cmake/packages.cmake, test tools) is not installed.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (cmake -P cmake/ensure_packages.cmake with the test tools, "
          "or apt-get install python3-jsonschema): manifests not checked")
    sys.exit(77)


def problems_of(validator, path):
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as e:
        return [f"{path}: not readable JSON: {e}"]
    found = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        key = "/".join(str(part) for part in error.absolute_path) or "(the top level)"
        found.append(f"{path}: {key}: {error.message}")
    return found


def main(argv):
    expect_invalid = argv[:1] == ["--expect-invalid"]
    if expect_invalid:
        argv = argv[1:]
    if len(argv) < 2:
        print(__doc__)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    ok = True
    for path in argv[1:]:
        problems = problems_of(validator, path)
        for line in problems:
            print(line)
        if expect_invalid and not problems:
            print(f"{path}: accepted, but it is broken on purpose: the schema misses what is wrong with it")
            ok = False
        elif not expect_invalid and problems:
            ok = False
        elif not problems:
            print(f"{path}: valid")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
