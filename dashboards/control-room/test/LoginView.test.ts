import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import LoginView from '../src/components/shell/LoginView.vue';
import { ApiRequestError } from '../src/api/http.js';
import { createAppI18n, type Locale } from '../src/i18n/index.js';

const refused = new ApiRequestError(401, 'HW_API_LOGIN_FAILED', 'wrong username or password');

function mountLogin(error: unknown, locale: Locale = 'zh-CN') {
  return mount(LoginView, {
    props: { error, busy: false },
    global: { plugins: [createAppI18n(locale)] },
  });
}

describe('login refusal in the UI’s language (issue #21: 登录失败：wrong username or password)', () => {
  it('zh-CN: the error code is translated, the server’s English is not shown', () => {
    const text = mountLogin(refused).find('[role="alert"]').text();
    expect(text).toContain('登录失败');
    expect(text).toContain('用户名或密码错误');
    expect(text).not.toContain('wrong username');
  });

  it('English: the same code in English', () => {
    const text = mountLogin(refused, 'en').find('[role="alert"]').text();
    expect(text).toContain('Sign-in failed');
    expect(text).not.toContain('用户名');
    expect(text).toMatch(/user ?name or password/i);
  });

  it('too many attempts: the rate-limit code, translated', () => {
    const text = mountLogin(new ApiRequestError(429, 'HW_API_RATE_LIMITED', 'too many requests')).text();
    expect(text).not.toContain('too many requests');
  });

  it('the server not reached (fetch failed): said in the UI’s language', () => {
    const text = mountLogin(new TypeError('Failed to fetch')).find('[role="alert"]').text();
    expect(text).not.toContain('Failed to fetch');
    expect(text).toContain('服务器');
  });

  it('no error: nothing shown', () => {
    expect(mountLogin(null).find('[role="alert"]').exists()).toBe(false);
  });
});

describe('在此设备上保持登录 (docs/mobile.md §7)', () => {
  const mountWith = (offerKeep: boolean | undefined, locale: Locale = 'zh-CN') =>
    mount(LoginView, {
      props: { error: null, busy: false, ...(offerKeep === undefined ? {} : { offerKeep }) },
      global: { plugins: [createAppI18n(locale)] },
    });
  const submit = async (w: ReturnType<typeof mountWith>) => {
    await w.find('input[name=username]').setValue('chlor');
    await w.find('input[name=password]').setValue('pw');
    await w.find('form').trigger('submit');
    return w.emitted('login')?.[0];
  };

  it('offered on a phone, never ticked by itself; the lifetime is said in zh-CN and English', async () => {
    const w = mountWith(true);
    const box = w.find<HTMLInputElement>('[data-test="keep-signed-in"]');
    expect(box.element.checked).toBe(false);
    expect(w.text()).toContain('在此设备上保持登录');
    expect(w.text()).toContain('7 天未使用');
    await expect(submit(w)).resolves.toEqual(['chlor', 'pw', false]);
    const en = mountWith(true, 'en');
    expect(en.text()).toContain('Keep me signed in on this device');
    expect(en.text()).toContain('7 days pass unused');
  });

  it('ticked: the login asks to keep the session', async () => {
    const w = mountWith(true);
    await w.find('[data-test="keep-signed-in"]').setValue(true);
    await expect(submit(w)).resolves.toEqual(['chlor', 'pw', true]);
  });

  it('the console (not a phone) does not offer it', async () => {
    const w = mountWith(undefined);
    expect(w.find('[data-test="keep-signed-in"]').exists()).toBe(false);
    await expect(submit(w)).resolves.toEqual(['chlor', 'pw', false]);
  });
});
