# Test-only: an image whose build fails, to see that proclab shows the build's last lines.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN echo "broken image: step output one" \
    && echo "broken image: step output two" \
    && echo "broken image: giving up now" >&2 \
    && exit 3
