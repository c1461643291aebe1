"""Code that runs inside the sandbox (copied to /sandbox/inside): zygote, driver, wire format."""
