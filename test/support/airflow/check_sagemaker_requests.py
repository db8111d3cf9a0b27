"""Checks SageMaker API requests (as an Airflow DAG's operators and hooks would send them) against
botocore's `sagemaker` service model, with the shape walker of test/support/aws.

Reads {"<label>": ["<botocore input shape>", <request>], ...} as JSON on stdin and prints a JSON
list of problems, each "<label>: <path>: <problem>" (unknown or missing members, types, enums,
lengths and ranges).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "aws"))

from check_sagemaker_arguments import MODEL, check_shape  # noqa: E402


def main():
    problems = []
    for label, (shape, request) in json.load(sys.stdin).items():
        found = []
        check_shape(MODEL.shape_for(shape), request, "request", found)
        problems += [f"{label}: {p}" for p in found]
    json.dump(problems, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
