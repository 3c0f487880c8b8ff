/**
 * PUTs a file to a presigned URL with XMLHttpRequest, the one browser API that reports upload
 * progress (fetch does not); `onProgress` gets a fraction 0..1.
 */
export function uploadFile(url: string, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new Error(`The upload was refused (${request.status})`));
    request.onerror = () => reject(new Error('The upload failed: the storage could not be reached'));
    request.send(file);
  });
}
