# Production image of the grading service. The sandbox needs bubblewrap and the container
# must be allowed to create user namespaces (see docker-compose.yml: seccomp/apparmor options).
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap libseccomp2 make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/grader
COPY pyproject.toml README.md ./
COPY service ./service
COPY reference ./reference
COPY problems ./problems
RUN python -m venv .venv \
    && .venv/bin/pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu \
    && .venv/bin/pip install --no-cache-dir -e . \
    && touch .venv/.installed
ENV GRADER_DATA_DIR=/var/lib/grader
EXPOSE 8000
CMD [".venv/bin/grader", "serve", "--host", "0.0.0.0", "--port", "8000"]
