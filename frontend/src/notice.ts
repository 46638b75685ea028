import { ref } from 'vue';

/** A one-shot message carried across a navigation ("You are signed out"), read once by the next page. */
const pending = ref<string | null>(null);

export function setNotice(text: string): void {
  pending.value = text;
}

export function takeNotice(): string | null {
  const text = pending.value;
  pending.value = null;
  return text;
}
