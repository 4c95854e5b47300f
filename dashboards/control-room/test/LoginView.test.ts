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
