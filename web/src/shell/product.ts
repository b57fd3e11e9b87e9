/** The name on the topbar, the login card and every document title. */
export const PRODUCT_NAME = 'Mailing service';
