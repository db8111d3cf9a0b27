"""Checks the steps of SageMaker pipeline definitions against botocore's `sagemaker` service model.

Reads {"<name>": <definition>, ...} as JSON on stdin and prints a JSON list of problems, each
"<name>: <step path>: <problem>". For every Processing, Training, RegisterModel and Tuning step it walks
the Arguments along the request shape of CreateProcessingJob, CreateTrainingJob,
CreateModelPackage or (Tuning steps) CreateHyperParameterTuningJob and reports unknown members, missing required members (except those the
pipeline service fills in), wrong types, enum values, and lengths or ranges out of bounds.
Pipeline expressions ({"Get": ...}, {"Std:Join": ...}, {"Std:JsonGet": ...}) stand for a value
of whatever scalar type the shape wants. Condition and Fail steps are checked by hand (they have
no API shape), and so are step keys and DependsOn names.
"""
import json
import sys

import botocore.session

MODEL = botocore.session.get_session().get_service_model("sagemaker")

ARGUMENT_SHAPES = {
    "Processing": ("CreateProcessingJobRequest", {"ProcessingJobName"}),
    "Training": ("CreateTrainingJobRequest", {"TrainingJobName"}),
    "RegisterModel": ("CreateModelPackageInput", set()),
    "Tuning": ("CreateHyperParameterTuningJobRequest", {"HyperParameterTuningJobName"}),
}
STEP_KEYS = {
    "Processing": {"Name", "Type", "Arguments", "DependsOn", "Description", "DisplayName", "CacheConfig", "RetryPolicies", "PropertyFiles"},
    "Training": {"Name", "Type", "Arguments", "DependsOn", "Description", "DisplayName", "CacheConfig", "RetryPolicies"},
    "RegisterModel": {"Name", "Type", "Arguments", "DependsOn", "Description", "DisplayName", "RetryPolicies"},
    "Tuning": {"Name", "Type", "Arguments", "DependsOn", "Description", "DisplayName", "CacheConfig", "RetryPolicies"},
    "Condition": {"Name", "Type", "Arguments", "DependsOn", "Description", "DisplayName"},
    "Fail": {"Name", "Type", "Arguments", "DependsOn", "Description", "DisplayName"},
}
EXPRESSIONS = {"Get", "Std:Join", "Std:JsonGet"}
SCALARS = {"string", "integer", "long", "float", "double", "boolean", "timestamp"}
COMPARISONS = {"Equals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"}
EXCEPTION_TYPES = {"Step.SERVICE_FAULT", "Step.THROTTLING", "SageMaker.JOB_INTERNAL_ERROR", "SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT"}


def is_expression(value):
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSIONS


def check_shape(shape, value, path, problems, omitted=frozenset()):
    if is_expression(value):
        if shape.type_name not in SCALARS:
            problems.append(f"{path}: a pipeline expression stands for a {shape.type_name} ({shape.name}); expressions give scalars")
        return
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object ({shape.name}), got {type(value).__name__}")
            return
        for key in value:
            if key not in shape.members:
                problems.append(f"{path}: unknown member {key!r} of {shape.name} (members: {', '.join(sorted(shape.members))})")
        for key in shape.required_members:
            if key not in value and key not in omitted:
                problems.append(f"{path}: missing required member {key!r} of {shape.name}")
        for key, member in shape.members.items():
            if key in value:
                check_shape(member, value[key], f"{path}.{key}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list ({shape.name}), got {type(value).__name__}")
            return
        if "min" in meta and len(value) < meta["min"] or "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} items, {shape.name} takes {meta.get('min', 0)} to {meta.get('max', 'any')}")
        for i, item in enumerate(value):
            check_shape(shape.member, item, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map ({shape.name}), got {type(value).__name__}")
            return
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} entries, {shape.name} takes at most {meta['max']}")
        for key, item in value.items():
            check_shape(shape.key, key, f"{path} key {key!r}", problems)
            check_shape(shape.value, item, f"{path}[{key!r}]", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string ({shape.name}), got {json.dumps(value)}")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not a {shape.name} (allowed: {', '.join(shape.enum[:12])}{', ...' if len(shape.enum) > 12 else ''})")
        if "min" in meta and len(value) < meta["min"] or "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} characters, {shape.name} takes {meta.get('min', 0)} to {meta.get('max', 'any')}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer ({shape.name}), got {json.dumps(value)}")
        elif "min" in meta and value < meta["min"] or "max" in meta and value > meta["max"]:
            problems.append(f"{path}: {value} is out of range for {shape.name} ({meta.get('min', '-inf')} to {meta.get('max', 'inf')})")
    elif kind in ("float", "double"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected a number ({shape.name}), got {json.dumps(value)}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected a boolean ({shape.name}), got {json.dumps(value)}")
    elif kind == "timestamp":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a timestamp string ({shape.name})")


def check_value(value, path, problems):
    if isinstance(value, (str, int, float, bool)) or is_expression(value):
        return
    problems.append(f"{path}: {json.dumps(value)} is neither a scalar nor a pipeline expression")


def check_condition(condition, path, problems):
    kind = condition.get("Type")
    keys = set(condition)
    if kind in COMPARISONS:
        expected = {"Type", "LeftValue", "RightValue"}
    elif kind == "In":
        expected = {"Type", "QueryValue", "Values"}
    elif kind == "Not":
        expected = {"Type", "Condition"}
    elif kind == "Or":
        expected = {"Type", "Conditions"}
    else:
        problems.append(f"{path}: unknown condition type {kind!r}")
        return
    if keys != expected:
        problems.append(f"{path}: a {kind} condition has keys {sorted(expected)}, got {sorted(keys)}")
        return
    if kind in COMPARISONS:
        check_value(condition["LeftValue"], f"{path}.LeftValue", problems)
        check_value(condition["RightValue"], f"{path}.RightValue", problems)
    elif kind == "In":
        check_value(condition["QueryValue"], f"{path}.QueryValue", problems)
        for i, v in enumerate(condition["Values"]):
            check_value(v, f"{path}.Values[{i}]", problems)
    elif kind == "Not":
        check_condition(condition["Condition"], f"{path}.Condition", problems)
    else:
        for i, c in enumerate(condition["Conditions"]):
            check_condition(c, f"{path}.Conditions[{i}]", problems)


def check_step(step, path, names, problems):
    kind = step.get("Type")
    if kind not in STEP_KEYS:
        problems.append(f"{path}: unknown step type {kind!r}")
        return
    unknown = set(step) - STEP_KEYS[kind]
    if unknown:
        problems.append(f"{path}: unknown step keys {sorted(unknown)} for a {kind} step")
    for dep in step.get("DependsOn", []):
        if dep not in names:
            problems.append(f"{path}: DependsOn names {dep!r}, which is not a step")
    for policy in step.get("RetryPolicies", []):
        if set(policy) - {"ExceptionType", "IntervalSeconds", "BackoffRate", "MaxAttempts", "ExpireAfterMin"} or not set(policy["ExceptionType"]) <= EXCEPTION_TYPES:
            problems.append(f"{path}: retry policy {json.dumps(policy)} is malformed")
        if not 1 <= policy.get("MaxAttempts", 1) <= 20:
            problems.append(f"{path}: retry MaxAttempts {policy['MaxAttempts']} is out of range 1-20")
    args = step.get("Arguments")
    if kind in ARGUMENT_SHAPES:
        shape_name, omitted = ARGUMENT_SHAPES[kind]
        check_shape(MODEL.shape_for(shape_name), args, f"{path}.Arguments", problems, frozenset(omitted))
    elif kind == "Fail":
        if set(args) != {"ErrorMessage"}:
            problems.append(f"{path}.Arguments: a Fail step takes only ErrorMessage, got {sorted(args)}")
    elif kind == "Condition":
        if set(args) != {"Conditions", "IfSteps", "ElseSteps"}:
            problems.append(f"{path}.Arguments: a Condition step takes Conditions, IfSteps and ElseSteps, got {sorted(args)}")
            return
        for i, c in enumerate(args["Conditions"]):
            check_condition(c, f"{path}.Arguments.Conditions[{i}]", problems)
        for branch in ("IfSteps", "ElseSteps"):
            for i, child in enumerate(args[branch]):
                check_step(child, f"{path}.{branch}[{i}]({child.get('Name')})", names, problems)


def all_names(steps):
    for step in steps:
        yield step.get("Name")
        if step.get("Type") == "Condition":
            yield from all_names(step["Arguments"].get("IfSteps", []))
            yield from all_names(step["Arguments"].get("ElseSteps", []))


def check_definition(definition, problems):
    if definition.get("Version") != "2020-12-01":
        problems.append(f"Version is {definition.get('Version')!r}, expected '2020-12-01'")
    names = list(all_names(definition.get("Steps", [])))
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(f"duplicate step names {duplicates}")
    for i, step in enumerate(definition.get("Steps", [])):
        check_step(step, f"Steps[{i}]({step.get('Name')})", set(names), problems)


def main():
    definitions = json.load(sys.stdin)
    problems = []
    for name, definition in definitions.items():
        found = []
        check_definition(definition, found)
        problems += [f"{name}: {p}" for p in found]
    json.dump(problems, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
