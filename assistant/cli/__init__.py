"""The ``assistant`` command: a thin layer over casework and decisions (``main``,
``casework``), with JSON input parsing (``jsonio``). Nothing below imports it."""
