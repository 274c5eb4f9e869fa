// localStorage when the browser allows it; memory otherwise. Cross-site iframes (the widget)
// are often denied storage, and the chat must still work there.

const memory = new Map();

function area() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function load(key) {
  try {
    return area()?.getItem(key) ?? memory.get(key) ?? null;
  } catch {
    return memory.get(key) ?? null;
  }
}

export function save(key, value) {
  memory.set(key, value);
  try {
    area()?.setItem(key, value);
  } catch {
    // Storage full or denied: memory keeps it for this page's life.
  }
}

export function remove(key) {
  memory.delete(key);
  try {
    area()?.removeItem(key);
  } catch {
    // Denied: nothing stored there anyway.
  }
}
