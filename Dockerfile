# suno-mock-server as a container: `docker run -p 8080:8080 suno-mock` serves the mock API on
# port 8080 (0.0.0.0 inside the container). Every `suno-mock serve` flag can be given as a
# SUNO_MOCK_* variable (-e SUNO_MOCK_TIME_SCALE=0.01) or as arguments after the image name.
#
# PYTHON_IMAGE is any Debian-like image with python3 and its venv module; where no public
# registry is reachable, `.ci/base-image` makes one locally (see the README).
ARG PYTHON_IMAGE=python:3.12-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# Wheels of the runtime dependencies (no extras: no test or dev tools) first, in a layer of their own that a
# change to the code or the README does not rebuild.
COPY pyproject.toml ./
RUN python3 -m venv /opt/build \
 && /opt/build/bin/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
 && /opt/build/bin/pip wheel --quiet --wheel-dir /wheels --requirement requirements.txt
# Then the package's wheel, and a venv installed from these wheels alone (without pip: the
# build venv's pip installs into it). Only that venv reaches the final stage: no wheels, no
# pip, no build tools.
COPY README.md ./
COPY scenarios ./scenarios
COPY mock_server ./mock_server
RUN /opt/build/bin/pip wheel --quiet --no-deps --wheel-dir /wheels . \
 && python3 -m venv --without-pip /opt/venv \
 && /opt/build/bin/pip --python /opt/venv/bin/python install --quiet --no-index \
      --find-links /wheels suno-mock-server \
 && /opt/venv/bin/suno-mock --version
# Docker's classic builder keeps this stage's image, untagged, after the build: a label (last,
# so the layers above stay cached) lets whoever built it find and remove it
# (`docker image prune --filter label=org.suno-mock.builder=ID`; tests/integration/test_container.py does).
ARG BUILD_LABEL=""
LABEL org.suno-mock.builder="${BUILD_LABEL}"

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 suno \
 && useradd --system --uid 10001 --gid suno --create-home --home-dir /home/suno \
      --shell /usr/sbin/nologin suno
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SUNO_MOCK_HOST=0.0.0.0 \
    SUNO_MOCK_PORT=8080
USER suno:suno
WORKDIR /home/suno
EXPOSE 8080
# The port comes from SUNO_MOCK_PORT, so `-e SUNO_MOCK_PORT=9000` keeps the check right.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__mock__/health' % os.environ.get('SUNO_MOCK_PORT', '8080'), timeout=2)"]
# suno-mock is PID 1 here: it installs its own SIGTERM/SIGINT handlers, so `docker stop`
# cancels pending callbacks and exits 0 at once.
CMD ["suno-mock", "serve"]
