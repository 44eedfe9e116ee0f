#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded on these machines.
# `prisma generate` only needs the file to exist; migrations use `npm run migrate` / `migrate:new`.
echo "Prisma's native schema engine is not installed here: use npm run migrate or npm run migrate:new" >&2
exit 1
