"""The public API of a generated Python package, read with ast (the jsii runtime cannot be installed
here, so the modules are not imported): {module: {class: {method: {args, kwonly, varargs}}}}.
With --snippet FILE it also lists the calls in FILE that do not match that API."""
import ast
import json
import pathlib
import sys


def signature(fn):
    args = [a.arg for a in fn.args.args if a.arg not in ('self', 'cls')]
    return {'args': args, 'kwonly': [a.arg for a in fn.args.kwonlyargs], 'varargs': fn.args.vararg is not None}


def module_api(path):
    api = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith('_'):
            api[node.name] = {f.name: signature(f) for f in node.body if isinstance(f, ast.FunctionDef) and (f.name == '__init__' or not f.name.startswith('_'))}
    return api


def package_api(root):
    package = pathlib.Path(root)
    return {str(p.parent.relative_to(package.parent)).replace('/', '.'): module_api(p) for p in sorted(package.rglob('__init__.py')) if '_jsii' not in p.parts}


def snippet_problems(api, snippet):
    tree = ast.parse(snippet)
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module, alias.name)
    classes = {}
    for local, (module, name) in imported.items():
        if module in api and name in api[module]:
            classes[local] = api[module][name]
        elif f'{module}.{name}' in api:
            classes.update({f'{local}.{c}': m for c, m in api[f'{module}.{name}'].items()})
        elif module.split('.')[0] == 'cdk_mlops':
            yield f'import {name} from {module}: not in the package'
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = ast.unparse(node.func)
        if target in classes:
            method, owner = classes[target].get('__init__'), target
        elif '.' in target and target.rsplit('.', 1)[0] in classes:
            owner, name = target.rsplit('.', 1)
            method = classes[owner].get(name)
            if method is None:
                yield f'{target}: {owner} has no method {name}'
                continue
        else:
            continue
        if method is None:
            continue
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg not in method['kwonly'] + method['args']:
                yield f'{target}: no keyword argument {keyword.arg} (has {", ".join(method["kwonly"])})'
        if len(node.args) > len(method['args']) and not method['varargs']:
            yield f'{target}: {len(node.args)} positional arguments, takes {len(method["args"])}'


if __name__ == '__main__':
    api = package_api(sys.argv[1])
    result = {'api': api}
    if '--snippet' in sys.argv:
        result['problems'] = list(snippet_problems(api, pathlib.Path(sys.argv[sys.argv.index('--snippet') + 1]).read_text()))
    json.dump(result, sys.stdout)
