# loraledger, CPU image (onnxruntime-node's CPU provider ships inside the npm package).
#
#   docker build -t loraledger .
#   docker run --rm -p 8000:8000 loraledger                       # serves the embedded default model
#   docker run --rm -p 8000:8000 -v /models:/models:ro loraledger \
#       --model /models/SmolLM2-135M-Instruct --adapters /models/adapters
#
# The server listens on 0.0.0.0 inside the container (LORALEDGER_HOST below); every flag can also
# be given as an environment variable (LORALEDGER_<FLAG>, e.g. LORALEDGER_ADMIN_KEY), see --help.
#
# CUDA variant (not built here): start FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 with Node
# 20 installed, run `npm ci --omit=dev --onnxruntime-node-install=cuda12` (the flag overrides the
# `onnxruntime-node-install=skip` line of .npmrc, so onnxruntime-node's postinstall fetches its CUDA
# provider binaries), run with `--gpus all`, and start the server with `--provider cuda`.
FROM node:20-slim

ENV NODE_ENV=production \
    LORALEDGER_HOST=0.0.0.0 \
    LORALEDGER_PORT=8000 \
    LORALEDGER_CACHE_DIR=/var/lib/loraledger \
    LORALEDGER_DATA_DIR=/var/lib/loraledger/data

WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force
COPY common ./common
COPY server ./server
COPY kernels ./kernels
COPY adapters ./adapters
COPY factory ./factory
COPY attribution ./attribution
COPY tsconfig.json ./

RUN mkdir -p /var/lib/loraledger && chown node:node /var/lib/loraledger
USER node
VOLUME ["/var/lib/loraledger"]
EXPOSE 8000
# `npm start -- <flags>`: docker run arguments are appended as flags.
ENTRYPOINT ["npm", "start", "--"]
