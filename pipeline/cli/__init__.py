"""The ``capture`` command line: parse, call the core, report. No work is done here
(``app.py`` is the application; one module per group of commands)."""
