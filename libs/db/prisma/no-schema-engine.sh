#!/bin/sh
# Stands in for the schema engine that the Prisma CLI would download; `generate` does not need it.
exit 1
