"""Public course harnesses run inside the sandbox: ``<name>.py`` defines ``run(namespace, ...)``."""
