// --tags / --skip-tags selection with Ansible's special tags: always, never, all, tagged, untagged.

/** Whether a task with these (inherited) tags runs for the given --tags / --skip-tags. */
export function tagsSelect(taskTags: readonly string[], only: readonly string[], skip: readonly string[]): boolean {
  const tags = new Set(taskTags);
  if (skip.length > 0) {
    if (skip.includes('all') && !tags.has('always')) return false;
    if (skip.includes('tagged') && tags.size > 0) return false;
    if (skip.includes('untagged') && tags.size === 0) return false;
    if (taskTags.some((t) => skip.includes(t))) return false;
  }
  if (tags.has('always')) return true;
  const wanted = only.length === 0 ? ['all'] : only;
  // `never` tasks run only when one of their own tags (or `never`) is asked for explicitly
  if (taskTags.some((t) => wanted.includes(t))) return true;
  if (tags.has('never')) return false;
  if (wanted.includes('all')) return true;
  if (wanted.includes('tagged') && tags.size > 0) return true;
  if (wanted.includes('untagged') && tags.size === 0) return true;
  return false;
}
