import { createRouter, createWebHistory, type Router, type RouterHistory } from 'vue-router';
import { nextTick } from 'vue';
import type { SessionStore } from './api';
import HomePage from './pages/HomePage.vue';
import RegisterPage from './pages/RegisterPage.vue';
import SignInPage from './pages/SignInPage.vue';
import MePage from './pages/MePage.vue';
import TotpPage from './pages/TotpPage.vue';
import NotFoundPage from './pages/NotFoundPage.vue';
import ChangePasswordPage from './pages/ChangePasswordPage.vue';
import SessionsPage from './pages/SessionsPage.vue';
import ForgotPasswordPage from './pages/ForgotPasswordPage.vue';
import ResetPasswordPage from './pages/ResetPasswordPage.vue';
import VerifyEmailPage from './pages/VerifyEmailPage.vue';

declare module 'vue-router' {
  interface RouteMeta {
    title: string;
    requiresAuth?: boolean;
  }
}

/**
 * History routing: the service answers any unknown non-API page request that accepts text/html
 * with index.html (FrontendRoutes), so /me or /sign-in can be bookmarked and reloaded.
 */
export function createAppRouter(session: SessionStore, history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({
    history,
    routes: [
      { path: '/', name: 'home', component: HomePage, meta: { title: 'Home' } },
      { path: '/register', name: 'register', component: RegisterPage, meta: { title: 'Create an account' } },
      { path: '/sign-in', name: 'sign-in', component: SignInPage, meta: { title: 'Sign in' } },
      { path: '/me', name: 'me', component: MePage, meta: { title: 'Your account', requiresAuth: true } },
      { path: '/totp', name: 'totp', component: TotpPage, meta: { title: 'Two-step sign-in', requiresAuth: true } },
      { path: '/password', name: 'change-password', component: ChangePasswordPage, meta: { title: 'Change password', requiresAuth: true } },
      { path: '/sessions', name: 'sessions', component: SessionsPage, meta: { title: 'Your sessions', requiresAuth: true } },
      { path: '/verify-email', name: 'verify-email', component: VerifyEmailPage, meta: { title: 'Verify your email', requiresAuth: true } },
      { path: '/forgot-password', name: 'forgot-password', component: ForgotPasswordPage, meta: { title: 'Forgot your password?' } },
      { path: '/reset-password', name: 'reset-password', component: ResetPasswordPage, meta: { title: 'Reset your password' } },
      { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFoundPage, meta: { title: 'Page not found' } },
    ],
  });

  router.beforeEach((to) => {
    if (to.meta.requiresAuth && !session.signedIn.value) {
      return { name: 'sign-in', query: { next: to.fullPath } };
    }
    return true;
  });

  // A screen reader hears nothing when a single-page app swaps content: name the page in the
  // title and move focus to its heading, as a full page load would.
  router.afterEach((to, from) => {
    document.title = `${to.meta.title} · xredline`;
    if (from.matched.length === 0) {
      return; // first load: the browser already starts at the top of the document
    }
    void nextTick(() => {
      const heading = document.querySelector<HTMLElement>('main h1');
      heading?.focus();
    });
  });
  return router;
}
