# Production image: the TypeScript sources run on Node 24 through type stripping (no build step),
# and the dashboard's front end, which Vite builds at install time, is copied from a build stage.
FROM node:24-slim AS dashboard
WORKDIR /build
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY web ./web
COPY src ./src
# `npm ci` runs the `prepare` script, which builds dist/dashboard.
RUN npm ci --no-audit --no-fund

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY scripts ./scripts
# Without the dev tools `prepare` skips the dashboard build: its assets come from the stage above.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY crds ./crds
COPY --from=dashboard /build/dist/dashboard ./dist/dashboard
# Numeric (the image's "node" user): a kubelet can only verify runAsNonRoot against a numeric user.
USER 1000:1000
ENTRYPOINT ["node", "bin/brigade-operator.js"]
CMD ["run"]
