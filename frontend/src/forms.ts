import { nextTick, reactive, ref } from 'vue';
import { ApiError, CLIENT_REASONS } from './api';

interface Focusable {
  focus: () => void;
}

/**
 * A form's submit state: busy flag, the failed call's error and the message for the field it
 * names. After a failure focus goes to that field, or to the error summary, so keyboard and
 * screen-reader users land on what needs fixing.
 */
export function useSubmission() {
  const busy = ref(false);
  const error = ref<ApiError | null>(null);
  const fieldErrors = reactive<Record<string, string>>({});

  function clear() {
    error.value = null;
    for (const key of Object.keys(fieldErrors)) {
      delete fieldErrors[key];
    }
  }

  async function run<T>(action: () => Promise<T>, focusables: Record<string, Focusable | null | undefined> = {},
                        summary?: Focusable | null | (() => Focusable | null | undefined)): Promise<T | undefined> {
    if (busy.value) {
      return undefined;
    }
    clear();
    busy.value = true;
    try {
      return await action();
    } catch (e) {
      const failure = e instanceof ApiError ? e : new ApiError(0, CLIENT_REASONS.UNEXPECTED, String(e));
      error.value = failure;
      const field = failure.field;
      if (field) {
        fieldErrors[field] = failure.userMessage;
      }
      await nextTick();
      const target = (field && focusables[field]) || (typeof summary === 'function' ? summary() : summary);
      target?.focus();
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, fieldErrors, run, clear };
}
