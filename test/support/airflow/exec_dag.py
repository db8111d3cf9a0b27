"""Executes a generated DAG file against the fake `airflow` package in stubs/ and prints what it
declared as JSON: the DAG's arguments and each task's kind, arguments and upstream task ids.

    python3 exec_dag.py DAG_FILE [RUN_JSON]

With RUN_JSON ({"params": {...}, "run_id": "...", "xcom": {task_id: value}}), it then runs the
DAG's Python tasks in dependency order, as a scheduler would: templates rendered (only the forms
the compiler emits; any other is an error), trigger rules and branch skips applied, return values
kept as XCom. Tasks named in "xcom" are not run; their value is taken as given. With
"record_launches": true, subprocess.run records each call (task, argv after the interpreter, cwd,
the environment it adds to os.environ) in "launches" instead of running it. Operator tasks
(no Python callable) must be named there; their arguments are recorded rendered ("rendered"). The
fake provider hooks read "s3" ({"s3://bucket/key": text, or {"tar": {member: text}} for a .tar.gz})
and record their calls ("calls").
"""
import ast
import datetime
import io
import inspect
import json
import os
import re
import runpy
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs"))

from airflow import _recorder  # noqa: E402


def plain(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, datetime.timedelta):
        return {"timedelta_seconds": v.total_seconds()}
    if isinstance(v, datetime.datetime):
        return {"datetime": v.isoformat()}
    if isinstance(v, _recorder.Param):
        return {"param": dict(plain(v.kwargs), **({} if v.default is _recorder.NOTSET else {"default": plain(v.default)}))}
    if isinstance(v, _recorder.CronDataIntervalTimetable):
        return {"timetable": "CronDataIntervalTimetable", "cron": v.cron, "timezone": v.timezone}
    if isinstance(v, _recorder.DeltaDataIntervalTimetable):
        return {"timetable": "DeltaDataIntervalTimetable", "delta": plain(v.delta)}
    if hasattr(v, "kwargs") and type(v).__name__.startswith("V1"):
        return {"k8s": type(v).__name__, **plain(v.kwargs)}
    return {"repr": repr(v)}


TEMPLATE = re.compile(r"\{\{(.*?)\}\}")


def render(value, context):
    if isinstance(value, str):
        return TEMPLATE.sub(lambda m: expression(m.group(1).strip(), context), value)
    if isinstance(value, list):
        return [render(v, context) for v in value]
    if isinstance(value, dict):
        return {k: render(v, context) for k, v in value.items()}
    return value


def expression(text, context):
    params = context["params"]
    if text in ("run_id", "data_interval_start", "data_interval_end"):
        return str(context[text])
    if text == "ti.try_number":
        return "1"  # the first try
    m = re.fullmatch(r"params\.(\w+)", text)
    if m:
        return str(params[m.group(1)])
    m = re.fullmatch(r"'true' if params\.(\w+) else 'false'", text)
    if m:
        return "true" if params[m.group(1)] else "false"
    m = re.fullmatch(r"run_id((?:\s*\|\s*replace\('[^']*', '[^']*'\))+)", text)
    if m:
        out = context["run_id"]
        for old, new in re.findall(r"replace\('([^']*)', '([^']*)'\)", m.group(1)):
            out = out.replace(old, new)
        return out
    value = evaluate(text, context)
    if value is not NOTHING:
        return str(value)
    raise ValueError(f"template {{{{ {text} }}}} is not one the compiler emits")


NOTHING = object()


def evaluate(text, context):
    """The other forms the compiler emits: a call of one of the DAG's user_defined_macros (with
    literal and run_id arguments), and a value in an upstream task's XCom
    (ti.xcom_pull(task_ids='x')['a']['b'])."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return NOTHING
    return value_of(node, context)


def value_of(node, context):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id == "run_id":
        return context["run_id"]
    if isinstance(node, ast.Subscript):
        base, key = value_of(node.value, context), value_of(node.slice, context)
        if base is NOTHING or key is NOTHING:
            return NOTHING
        return base[key]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in context["macros"] and not node.keywords:
        args = [value_of(a, context) for a in node.args]
        if any(a is NOTHING for a in args):
            return NOTHING
        return context["macros"][node.func.id](*args)
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "ti.xcom_pull" and not node.args and [k.arg for k in node.keywords] == ["task_ids"]:
        task_id = value_of(node.keywords[0].value, context)
        if task_id not in context["xcom"]:
            raise KeyError(f"template reads the XCom of task {task_id!r}, which has none")
        return context["xcom"][task_id]
    return NOTHING


class TaskInstance:
    def __init__(self, xcom, run_id):
        self.xcom = xcom
        self.run_id = run_id

    def xcom_pull(self, task_ids):
        return self.xcom.get(task_ids)


class Task:
    """The task's operator as a Python callable sees it in its context: it renders templates."""

    def __init__(self, task_id, context):
        self.task_id = task_id
        self.context = context

    def render_template(self, content, _context):
        return render(content, self.context)


CONTEXT_KEYS = ("run_id", "data_interval_start", "data_interval_end")


def invoke(op, kwargs, context, xcom):
    """Calls the task's function as Airflow does: rendered arguments, and the context variables its
    signature names (all of them for **kwargs)."""
    fn = op.callable
    parameters = inspect.signature(fn).parameters
    everything = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    available = {
        "ti": TaskInstance(xcom, context["run_id"]),
        "params": context["params"],
        "task": Task(op.task_id, context),
        **{k: context[k] for k in CONTEXT_KEYS},
    }
    extra = {k: v for k, v in available.items() if everything or k in parameters}
    LAUNCHING[0] = op.task_id
    return fn(*render(op.op_args, context), **render(kwargs, context), **extra)


LAUNCHING = [None]


def record_launches(launches):
    """Replaces subprocess.run with a recorder of what each task would run (nothing runs)."""
    import subprocess

    def fake_run(argv, cwd=None, env=None, check=False, **_):
        added = {k: v for k, v in (env or {}).items() if os.environ.get(k) != v}
        launches.append({"task": LAUNCHING[0], "argv": list(argv[2:]) if argv[0] == sys.executable else list(argv), "cwd": cwd, "env": added})
        return subprocess.CompletedProcess(argv, 0)

    subprocess.run = fake_run


def run(dag, spec):
    context = {
        "params": {name: p.default for name, p in dag.kwargs.get("params", {}).items()},
        "run_id": spec.get("run_id", "manual__2025-01-01T00:00:00+00:00"),
        "data_interval_start": spec.get("data_interval_start", "2025-01-01T00:00:00+00:00"),
        "data_interval_end": spec.get("data_interval_end", "2025-01-02T00:00:00+00:00"),
    }
    context["params"].update(spec.get("params", {}))
    xcom = dict(spec.get("xcom", {}))
    context["xcom"] = xcom
    context["macros"] = dag.kwargs.get("user_defined_macros") or {}
    _recorder.S3_OBJECTS.clear()
    for uri, content in spec.get("s3", {}).items():
        _recorder.S3_OBJECTS[uri] = tar_gz(content["tar"]) if isinstance(content, dict) else content.encode("utf-8")
    launches = []
    if spec.get("record_launches"):
        record_launches(launches)
    rendered = {}
    state = {}
    errors = {}
    pending = list(dag.tasks)
    while pending:
        ready = [t for t in pending if all(u in state for u in dag.tasks[t].upstream)]
        if not ready:
            raise RuntimeError(f"cycle among {pending}")
        task_id = ready[0]
        pending.remove(task_id)
        op = dag.tasks[task_id]
        if state.get(task_id) == "skipped":
            continue
        ups = [state[u] for u in op.upstream]
        rule = op.kwargs.get("trigger_rule", "all_success")
        failed = any(s in ("failed", "upstream_failed") for s in ups)
        if rule == "all_success":
            verdict = "upstream_failed" if failed else "skipped" if "skipped" in ups else "run"
        elif rule == "none_failed_min_one_success":
            verdict = "upstream_failed" if failed else "run" if (not ups or "success" in ups) else "skipped"
        else:
            raise ValueError(f"trigger rule {rule!r} not emulated")
        if verdict != "run":
            state[task_id] = verdict
            continue
        if op.callable is None and task_id in xcom:
            if op.mapped:
                (name, values), = op.mapped.items()
                rendered[task_id] = [render({**op.kwargs, name: v}, context) for v in values]
            else:
                rendered[task_id] = render(op.kwargs, context)
        if task_id in xcom:
            state[task_id] = "success"
            continue
        if op.callable is None:
            raise RuntimeError(f"task {task_id!r} ({op.kind}) cannot run here; give its XCom in the run spec")
        try:
            if op.mapped:
                (name, values), = op.mapped.items()
                result = [invoke(op, {**op.op_kwargs, name: v}, context, xcom) for v in values]
            else:
                result = invoke(op, op.op_kwargs, context, xcom)
            xcom[task_id] = result
            state[task_id] = "success"
        except Exception as e:  # a task's failure is recorded, as Airflow does
            state[task_id] = "failed"
            errors[task_id] = {"type": type(e).__name__, "message": str(e)}
            continue
        if op.kind == "task.branch":
            follow = result if isinstance(result, list) else [result]
            for other in dag.tasks.values():
                if task_id in other.upstream and other.task_id not in follow:
                    state[other.task_id] = "skipped"
    return {"states": state, "errors": errors, "xcom": plain(xcom), "rendered": plain(rendered), "calls": plain(_recorder.CALLS), **({"launches": launches} if spec.get("record_launches") else {})}


def tar_gz(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def main():
    path = sys.argv[1]
    runpy.run_path(path, run_name="dag_module")
    if len(_recorder.DAGS) != 1:
        raise RuntimeError(f"{path} declared {len(_recorder.DAGS)} DAGs, expected 1")
    dag = _recorder.DAGS[0]
    out = {
        "dag_id": dag.dag_id,
        "dag": plain(dag.kwargs),
        "task_order": list(dag.tasks),
        "tasks": {
            t.task_id: {
                "kind": t.kind,
                "kwargs": plain(t.kwargs),
                "call": plain(getattr(t, "op_kwargs", None)),
                "mapped": plain(t.mapped),
                "upstream": t.upstream,
            }
            for t in dag.tasks.values()
        },
    }
    if len(sys.argv) > 2:
        out["run"] = run(dag, json.loads(sys.argv[2]))
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
