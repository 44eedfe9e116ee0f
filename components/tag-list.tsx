"use client";
// The repository's tags: see tag-table.tsx.
export { TagTable as TagList } from "@/components/tag-table";
