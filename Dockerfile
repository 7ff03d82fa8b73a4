# Production image: the TypeScript sources run on Node 24 through type stripping (no build step).
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY crds ./crds
# Numeric (the image's "node" user): a kubelet can only verify runAsNonRoot against a numeric user.
USER 1000:1000
ENTRYPOINT ["node", "bin/brigade-operator.js"]
CMD ["run"]
