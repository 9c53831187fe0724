"""No import loops: no module of the playground imports one that imports it back (directly
or around a longer loop, imports inside functions included), no package of it does either,
and the tests and the benchmark depend on each other one way only."""

from pathlib import Path

from tests.import_graph import cycles, imports_of, modules_under

ROOT = Path(__file__).resolve().parent.parent


def loops_message(loops: list[str]) -> str:
    return "Import loops (move what both sides need into a lower module):\n" + "\n".join(
        f"  {loop}" for loop in loops
    )


def test_no_playground_module_imports_itself_around_a_loop():
    modules = modules_under(ROOT, ["playground"])
    loops = cycles(imports_of(modules, ROOT))
    assert not loops, loops_message(loops)


def test_no_playground_package_imports_itself_around_a_loop():
    # e.g. providers importing providerconfig while providerconfig imports providers,
    # even when no single module of one imports a module of the other back.
    modules = modules_under(ROOT, ["playground"])
    packages = {
        name for name, path in modules.items() if path.name == "__init__.py" and name.count(".")
    }

    def package_of(module: str) -> str:
        top = ".".join(module.split(".")[:2])
        return top if top in packages else module

    loops = cycles(imports_of(modules, ROOT), unit=package_of)
    assert not loops, loops_message(loops)


def test_the_tests_and_the_benchmark_depend_on_each_other_one_way_only():
    # The benchmark runs the tests' fake upstream (python -m tests.fake_upstream).
    modules = modules_under(ROOT, ["playground", "tests", "bench"])
    loops = cycles(imports_of(modules, ROOT), unit=lambda module: module.split(".")[0])
    assert not loops, loops_message(loops)


# --- The check itself ------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return modules_under(root, ["pkg"])


def test_the_check_finds_a_loop_hidden_in_a_function_and_says_where(tmp_path):
    modules = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import thing\n",
            "pkg/b.py": "thing = 1\n\n\ndef late():\n    from pkg import a\n",
        },
    )
    assert cycles(imports_of(modules, tmp_path)) == [
        "pkg.a -> pkg.b (pkg/a.py:1) -> pkg.a (pkg/b.py:5)"
    ]


def test_the_check_follows_relative_imports_and_python_dash_m(tmp_path):
    modules = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from . import server\n",
            "pkg/sub/server.py": "from ..tool import run\n",
            "pkg/tool.py": 'ARGS = ["python", "-m", "pkg.sub.server"]\n',
        },
    )
    assert cycles(imports_of(modules, tmp_path)) == [
        "pkg.sub.server -> pkg.tool (pkg/sub/server.py:1) -> pkg.sub.server (pkg/tool.py:1)"
    ]


def test_imports_only_for_type_checkers_count_too(tmp_path):
    modules = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": (
                "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pkg import a\n"
            ),
        },
    )
    assert len(cycles(imports_of(modules, tmp_path))) == 1
