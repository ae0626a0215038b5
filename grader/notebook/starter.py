"""The notebook ``learn start --notebook`` writes for an exercise.

Markdown cells carry what ``learn show`` prints (title, instructions, examples) and the hints,
one per collapsed block; one code cell, tagged ``answer``, holds the stub exactly, so an
untouched notebook counts as not started; the cell after it grades the notebook from the
kernel (``%learn grade``). Built with nbformat's constructors, written atomically.
"""
from __future__ import annotations

from typing import Any

from grader import instructions
from grader.course import Exercise, show_value
from grader.notebook import document
from grader.notebook.answer import ANSWER_TAG

FORMAT_VERSION = 1
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def examples_markdown(exercise: Exercise) -> str:
    if not exercise.examples:
        return ""
    shown = "\n".join(f"{e.shown()}  # → {show_value(e.expected)}" for e in exercise.examples)
    return f"## Examples\n\n```python\n{shown}\n```"


def exercise_notebook(exercise: Exercise) -> Any:
    stub = exercise.stub_path.read_text(encoding="utf-8")
    intro = (f"# {exercise.title}\n\n*{exercise.id}, {exercise.points} points.* Write your answer in the code "
             f"cell below (tagged `{ANSWER_TAG}`: only cells with that tag are graded), save, then run the "
             "cell under **Grade it**.\n\n" + instructions.body(exercise))
    grade = (f"## Grade it\n\nSave the notebook first: `%learn grade` grades the notebook as saved on disk, "
             "in a sandbox, and shows the report here. From a terminal, `learn grade "
             f"{exercise.id}` grades the same file.")
    hints = "\n\n".join(f"<details><summary>Hint {i} of {len(exercise.hints)}</summary>\n\n{hint}\n\n</details>"
                        for i, hint in enumerate(exercise.hints, 1))
    cells = [document.markdown_cell(intro)]
    if exercise.examples:
        cells.append(document.markdown_cell(examples_markdown(exercise)))
    cells += [
        document.code_cell(stub, (ANSWER_TAG,)),
        document.markdown_cell(grade),
        document.code_cell(f"%load_ext grader\n%learn grade {exercise.id}"),
        document.markdown_cell(f"## Hints\n\nGentle first. `%learn hint {exercise.id}` (or `learn hint "
                               f"{exercise.id}`) shows the next one and remembers where you are.\n\n{hints}"),
    ]
    metadata = {"kernelspec": dict(KERNEL), "language_info": {"name": "python"},
                "learn": {"exercise": exercise.id, "format_version": FORMAT_VERSION}}
    return document.new_notebook(cells, metadata)
