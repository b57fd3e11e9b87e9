/** Saves text made in the page (a CSV report …) as a file in the browser's downloads. */
export function downloadFile(fileName: string, content: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; let it go once this task is done.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
