"""Build configuration beyond pyproject.toml: one optional C extension.

``ccsp_analysis.sources._linescan`` picks the lines of a data.police.uk force file that belong to one
partnership before they are parsed (see its source). It is optional: where no C compiler is
available the install goes on without it, and the reader parses every line instead (same rows,
same errors; slower on force-wide files).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "ccsp_analysis.sources._linescan",
            sources=["src/ccsp_analysis/sources/_linescan.c"],
            optional=True,
        )
    ]
)
