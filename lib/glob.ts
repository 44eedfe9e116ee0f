// Globs for repository and tag names: `*` any run of characters, `?` one character.
export function globToRegExp(glob: string, flags = ""): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\/]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, flags);
}

export function globMatch(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}
