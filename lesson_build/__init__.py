"""The lesson build: ``momentum-lesson build`` makes the chapters web-ready media and a page.

Each chapter is rendered once, as its own job (local processes, or a Dask
cluster), and cached by what it depends on; the flagship is assembled from
the chapter clips; everything lands atomically under ``media/lesson/`` with a
``manifest.json`` that ``momentum-lesson build --check`` validates.
"""
