import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('fails with a message naming every bad variable', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', SMTP_URL: 'not a url', SEND_RATE_PER_SECOND: '-1' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/SMTP_URL/);
    expect(attempt).toThrow(/SEND_RATE_PER_SECOND/);
  });

  it('runs the API and the sending workers by default, and names SERVER_ROLE to a setup that still sets SCHEDULER_ENABLED', () => {
    expect(loadConfig({}).SERVER_ROLE).toBe('all');
    expect(loadConfig({ SERVER_ROLE: 'worker' }).SERVER_ROLE).toBe('worker');
    expect(() => loadConfig({ SERVER_ROLE: 'both' })).toThrow(/SERVER_ROLE/);
    expect(() => loadConfig({ SCHEDULER_ENABLED: 'false' })).toThrow(/SCHEDULER_ENABLED was replaced by SERVER_ROLE/);
  });

  it('treats empty values as unset and applies defaults', () => {
    const config = loadConfig({ DATABASE_URL: '', SMTP_URL: '', PORT: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.PORT).toBe(4000);
  });

  describe('APP_URL, where links in mails point', () => {
    it('defaults to the server itself', () => {
      expect(loadConfig({}).APP_URL).toBe('http://localhost:4000');
    });

    it('follows the dev server when `yarn dev` sets WEB_DEV_URL', () => {
      expect(loadConfig({ WEB_DEV_URL: 'http://localhost:5173' }).APP_URL).toBe('http://localhost:5173');
      expect(loadConfig({ WEB_DEV_URL: 'http://localhost:5173', APP_URL: '' }).APP_URL).toBe('http://localhost:5173');
    });

    it('is what APP_URL says when it is set (e.g. from .env), whatever runs the app', () => {
      expect(loadConfig({ WEB_DEV_URL: 'http://localhost:5173', APP_URL: 'https://mail.example.com' }).APP_URL).toBe('https://mail.example.com');
    });

    it('refuses a WEB_DEV_URL that is not a URL', () => {
      expect(() => loadConfig({ WEB_DEV_URL: 'not a url' })).toThrow(/WEB_DEV_URL/);
    });
  });

  describe('the sender', () => {
    it('is MAIL_FROM, read as a name and an address', () => {
      expect(loadConfig({}).SENDER).toEqual({ name: 'Mailing service', address: 'no-reply@localhost', allowedDomains: [] });
      expect(loadConfig({ MAIL_FROM: 'news@example.com' }).SENDER).toMatchObject({ name: '', address: 'news@example.com' });
      expect(loadConfig({ MAIL_FROM: '"Shop, Inc." <news@example.com>' }).SENDER).toMatchObject({ name: 'Shop, Inc.', address: 'news@example.com' });
    });

    it('refuses a MAIL_FROM without an address', () => {
      expect(() => loadConfig({ MAIL_FROM: 'Mailing service' })).toThrow(/MAIL_FROM: must be an address/);
    });

    it('may send from the domains of MAIL_FROM_DOMAINS, read as a lower-case list', () => {
      expect(loadConfig({ MAIL_FROM_DOMAINS: ' News.Example.com,shop.example.org ,' }).SENDER.allowedDomains).toEqual(['news.example.com', 'shop.example.org']);
      expect(() => loadConfig({ MAIL_FROM_DOMAINS: 'news.example.com, not a domain' })).toThrow(/MAIL_FROM_DOMAINS/);
    });
  });
});
