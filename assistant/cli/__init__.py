"""The ``assistant`` command: a thin layer over casework and decisions (``main``,
``casework``), with JSON input parsing (``jsonio``); it may import every room, the trainer
studio's links (``assistant.studio``) included. Nothing below imports it."""
