/**
 * Collects the files of a drop, walking dropped folders, with each file's
 * path inside what was dropped (`cats/1.jpg`).
 */

export interface DroppedFiles {
  files: File[];
  paths: string[];
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, out: DroppedFiles): Promise<void> {
  if (entry.isFile) {
    out.files.push(await fileOf(entry as FileSystemFileEntry));
    out.paths.push(entry.fullPath.replace(/^\//, ''));
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most about 100 entries a call; an empty batch ends the folder.
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
    for (const child of batch) await walk(child, out);
  }
}

/** Returns every file of `transfer`, folders walked; must be called during the drop event's handler. */
export async function collectDroppedFiles(transfer: DataTransfer): Promise<DroppedFiles> {
  // The entries must be taken synchronously: the DataTransfer empties once the handler returns.
  const entries = Array.from(transfer.items, (item) => item.webkitGetAsEntry()).filter((entry): entry is FileSystemEntry => entry !== null);
  const out: DroppedFiles = { files: [], paths: [] };
  for (const entry of entries) await walk(entry, out);
  return out;
}
