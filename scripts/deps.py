"""Print the direct dependencies declared in pyproject.toml (used to refresh the lock files).

    python scripts/deps.py          # runtime
    python scripts/deps.py test     # runtime + test
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
wanted = list(project["dependencies"])
for extra in sys.argv[1:]:
    wanted += project["optional-dependencies"][extra]
print("\n".join(wanted))
