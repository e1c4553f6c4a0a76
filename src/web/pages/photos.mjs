// Photos and documents on records: chosen with thumbnails that can be removed before sending,
// uploaded one by one (`POST /attachments`), and shown with the caller's token (attachments are
// not public).

import { useEffect, useState } from "preact/hooks";
import * as api from "app/api";
import { html } from "app/ui";

const enc = encodeURIComponent;
const MAX = 9;

/** Uploads the chosen files; their ids. */
export async function upload(files) {
  const ids = [];
  for (const file of files) {
    if (!file || file.size === 0) continue;
    const body = new FormData();
    body.append("file", file);
    ids.push((await api.call("POST", "/attachments", body)).id);
  }
  return ids;
}

/** A stored file, fetched with the caller's token: an image as a thumbnail, a PDF as a link. */
export function Photo({ id }) {
  const [file, setFile] = useState(null);
  useEffect(() => {
    let made = null;
    api.blob(`/attachments/${enc(id)}`).then((b) => setFile({ url: (made = URL.createObjectURL(b)), pdf: b.type === "application/pdf" }), () => {});
    return () => made && URL.revokeObjectURL(made);
  }, [id]);
  if (!file) return null;
  return file.pdf
    ? html`<a class="doc" href=${file.url} target="_blank" rel="noopener">查看 PDF 文件</a>`
    : html`<a href=${file.url} target="_blank" rel="noopener"><img class="photo" src=${file.url} alt="照片" /></a>`;
}

function Thumb({ file, remove }) {
  const [url, setUrl] = useState(null);
  useEffect(() => {
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return html`<div class="thumb">
    ${file.type.startsWith("image/") ? html`<img class="photo" src=${url} alt=${file.name} />` : html`<span class="photo doc">${file.name}</span>`}
    <button type="button" class="remove" aria-label=${`移除 ${file.name}`} onClick=${remove}>×</button>
  </div>`;
}

/** Choose photos (camera or album) with thumbnails; each can be removed before sending. */
export function PhotoPicker({ id, label, files, setFiles, accept = "image/*" }) {
  const add = (e) => {
    const chosen = [...e.target.files];
    setFiles([...files, ...chosen].slice(0, MAX));
    e.target.value = "";
  };
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <div class="photos">
      ${files.map((f, i) => html`<${Thumb} file=${f} remove=${() => setFiles(files.filter((_, j) => j !== i))} />`)}
      ${files.length < MAX && html`<label class="add-photo" for=${id}><span aria-hidden="true">＋</span><span class="sr-only">添加</span></label>`}
    </div>
    <input id=${id} class="sr-only" type="file" accept=${accept} multiple onChange=${add} />
    <span class="hint">已选 ${files.length} / ${MAX}</span>
  </div>`;
}
