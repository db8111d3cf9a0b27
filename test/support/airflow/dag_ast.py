"""Reads a generated Airflow DAG file with `ast` (nothing is imported or run) and prints its
structure as JSON, so tests assert tasks, edges and arguments instead of matching strings.

    python3 dag_ast.py path/to/dag.py

Output: {"imports": [...], "top_level": [...], "dag": {...}, "tasks": {task_id: {...}},
"task_order": [task ids as declared], "edges": {task_id: [upstream ids]}}
Values: literals as JSON; `NAME + "/x"` as "${NAME}/x"; datetime.timedelta(seconds=N) as
{"timedelta_seconds": N}; Param(...) as {"param": {...}}; anything else as {"expr": source}.
A call of one of the file's top-level functions with literal arguments (the sagemaker executor's
`processing_config("step")`, which builds a config from the JOBS table) is the only code run: the
function runs with the file's literal constants, `NAME = json.loads(r'...')` tables parsed, and
every other constant as "${NAME}", so its value reads as the literal the file used to hold.
`**NAME` of a dict constant adds its items as keyword arguments.
"""
import ast
import json
import sys

# The file's top-level constants and functions, as the helper calls in task arguments see them.
NAMESPACE = {"json": json}
# The helpers whose calls are run: they build an operator's arguments from the file's tables.
TABLE_HELPERS = {"processing_config", "training_config"}


def value(node):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List) or isinstance(node, ast.Tuple):
        return [value(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {value(k): value(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Name):
        return "${" + node.id + "}"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = value(node.left), value(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        if name in TABLE_HELPERS and name in NAMESPACE and all(isinstance(a, ast.Constant) for a in node.args) and not node.keywords:
            return NAMESPACE[name](*[a.value for a in node.args])
        kwargs = keywords(node)
        if name == "datetime.timedelta":
            return {"timedelta_seconds": sum(v * {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[k] for k, v in kwargs.items())}
        if name == "Param":
            return {"param": dict(kwargs, **({"default": value(node.args[0])} if node.args else {}))}
    return {"expr": ast.unparse(node)}


def keywords(call):
    """A call's keyword arguments; `**NAME` of a dict constant gives its items."""
    out = {}
    for k in call.keywords:
        if k.arg is None and isinstance(k.value, ast.Name) and isinstance(NAMESPACE.get(k.value.id), dict):
            out.update(NAMESPACE[k.value.id])
        else:
            out[k.arg] = value(k.value)
    return out


def read_top_level(tree):
    """Fills NAMESPACE: literal constants as they are, json.loads tables parsed, others as "${NAME}"; the functions."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name, v = node.targets[0].id, node.value
            if isinstance(v, ast.Constant):
                NAMESPACE[name] = v.value
            elif isinstance(v, ast.Call) and ast.unparse(v.func) == "json.loads" and isinstance(v.args[0], ast.Constant):
                NAMESPACE[name] = json.loads(v.args[0].value)
            elif isinstance(v, (ast.Dict, ast.List)):
                NAMESPACE[name] = value(v)
            else:
                NAMESPACE[name] = "${" + name + "}"
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.decorator_list]
    exec(compile(ast.Module(body=functions, type_ignores=[]), "<dag helpers>", "exec"), NAMESPACE)


def call_chain(node):
    """`a.override(x=1)(y=2)` -> [("a.override", {x}), ("()", {y})]; `K.partial(..).expand(..)` likewise."""
    chain = []
    while isinstance(node, ast.Call):
        kwargs = keywords(node)
        func = node.func
        if isinstance(func, ast.Call):
            chain.append(("()", kwargs))
            node = func
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            chain.append(("." + func.attr, kwargs))
            node = func.value
        else:
            chain.append((ast.unparse(func), kwargs))
            break
    return list(reversed(chain))


def decorator(fn):
    for d in fn.decorator_list:
        if isinstance(d, ast.Call):
            return ast.unparse(d.func), {k.arg: value(k.value) for k in d.keywords}
        return ast.unparse(d), {}
    return None, {}


def branch_returns(fn):
    """A branch function `if <condition>: return THEN` then `return OTHERWISE`: its parts."""
    body = [n for n in fn.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    if len(body) != 2 or not isinstance(body[0], ast.If) or not isinstance(body[1], ast.Return):
        return {"unexpected": ast.unparse(fn)}
    branch = body[0]
    return {"condition": ast.unparse(branch.test), "then": value(branch.body[0].value), "otherwise": value(body[1].value)}


def main(path):
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    read_top_level(tree)
    out = {"imports": [], "top_level": [], "constants": {}, "helpers": [], "dag": None, "tasks": {}, "task_order": [], "edges": {}}
    variables = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            out["imports"] += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            out["imports"] += [a.name for a in node.names]
        elif isinstance(node, ast.Assign):
            out["constants"][node.targets[0].id] = value(node.value)
        elif isinstance(node, ast.FunctionDef):
            out["helpers"].append(node.name)
        elif isinstance(node, ast.With):
            dag_call = node.items[0].context_expr
            out["dag"] = {k.arg: value(k.value) for k in dag_call.keywords}
            out["dag"]["_class"] = ast.unparse(dag_call.func)
            read_dag_body(node.body, out, variables)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            out["docstring"] = node.value.value
        else:
            out["top_level"].append(ast.unparse(node)[:200])
    print(json.dumps(out, indent=1, sort_keys=True))


def read_dag_body(body, out, variables):
    functions = {}
    for node in body:
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = node
        elif isinstance(node, ast.Assign):
            var = node.targets[0].id
            chain = call_chain(node.value)
            head, head_kwargs = chain[0]
            task = {"variable": var, "mapped": any(step == ".expand" for step, _ in chain)}
            if head in functions:
                fn = functions[head]
                kind, kwargs = decorator(fn)
                task.update(kind=kind, kwargs=kwargs)
                if kind == "task.branch":
                    task["branches"] = branch_returns(fn)
                raises = [ast.unparse(n.exc) for n in ast.walk(fn) if isinstance(n, ast.Raise)]
                if raises:
                    task["raises"] = raises
            else:
                factory = head.split(".")[0]
                kwargs = dict(head_kwargs)
                call_args = {}
                for step, kw in chain[1:]:
                    if step == ".expand":
                        task["expand"] = kw
                    elif step == ".partial":
                        (call_args if factory != "KubernetesPodOperator" else kwargs).update(kw)
                    else:
                        call_args.update(kw)
                task.update(kind=factory, kwargs=kwargs, call=call_args)
            task_id = task["kwargs"].get("task_id")
            out["tasks"][task_id] = task
            out["task_order"].append(task_id)
            variables[var] = task_id
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.RShift):
            left, right = node.value.left, node.value.right
            ups = [e.id for e in left.elts] if isinstance(left, ast.List) else [left.id]
            out["edges"].setdefault(variables[right.id], []).extend(variables[u] for u in ups)


if __name__ == "__main__":
    main(sys.argv[1])
