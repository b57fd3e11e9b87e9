import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('fails with a message naming every bad variable', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', SMTP_URL: 'not a url', SEND_RATE_PER_SECOND: '-1' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/SMTP_URL/);
    expect(attempt).toThrow(/SEND_RATE_PER_SECOND/);
  });

  it('treats empty values as unset and applies defaults', () => {
    const config = loadConfig({ DATABASE_URL: '', SMTP_URL: '', PORT: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.PORT).toBe(4000);
  });
});
