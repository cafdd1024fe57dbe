"""Plausible wrong answers to lesson 01's exercises; each must fail its check."""

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


WRONG_ANSWERS = {
    "sigmoid_derivative_from_output": [
        lambda o: 1 - o**2,  # tanh's derivative
        lambda o: _sigmoid(o) * (1 - _sigmoid(o)),  # f' applied to the output
    ],
    "hidden_layer": [
        lambda x, W, b: (x @ W, _sigmoid(x @ W)),  # bias forgotten
        lambda x, W, b: (x @ W + b, x @ W + b),  # no squashing
    ],
    "output_delta": [
        lambda o, t: (t - o) * o * (1 - o),  # flipped sign (the textbook's Err)
        lambda o, t: o - t,  # missing f'
    ],
    "hidden_deltas": [
        lambda o, W, d: W @ d,  # missing f'
        lambda o, W, d: -(o * (1 - o) * (W @ d)),  # flipped sign
    ],
    "updated_parameters": [
        lambda W, b, o, d, eta: (W + eta * np.outer(o, d), b + eta * d),  # flipped sign
        lambda W, b, o, d, eta: (W - eta * np.outer(o, d), b),  # bias not updated
    ],
    "training_step": [
        # the hidden deltas computed with the *updated* W2
        lambda x, t, W1, b1, W2, b2, eta: _update_first(x, t, W1, b1, W2, b2, eta),
        # missing f' at the output
        lambda x, t, W1, b1, W2, b2, eta: _step(x, t, W1, b1, W2, b2, eta, output_fprime=False),
    ],
    "tanh_training_step": [
        # the sigmoid's slope o(1 - o) kept for the tanh hidden units
        lambda *a: _tanh_step(*a, hidden_slope=lambda h: h * (1 - h)),
        # 1 - tanh(o)^2: the output squashed again
        lambda *a: _tanh_step(*a, hidden_slope=lambda h: 1 - np.tanh(h) ** 2),
        # the output unit treated as a tanh unit too
        lambda *a: _tanh_step(*a, output_slope=lambda o: 1 - o**2),
        # the hidden deltas computed with the updated W2
        lambda *a: _tanh_step(*a, updated_W2=True),
        # the step goes uphill
        lambda *a: _tanh_step(*a, eta_sign=-1.0),
    ],
}


def _step(x, t, W1, b1, W2, b2, eta, output_fprime=True):
    h = _sigmoid(x @ W1 + b1)
    o = _sigmoid(h @ W2 + b2)
    d_out = (o - t) * (o * (1 - o) if output_fprime else 1)
    d_h = h * (1 - h) * (W2 @ d_out)
    return W1 - eta * np.outer(x, d_h), b1 - eta * d_h, W2 - eta * np.outer(h, d_out), b2 - eta * d_out


def _update_first(x, t, W1, b1, W2, b2, eta):
    h = _sigmoid(x @ W1 + b1)
    o = _sigmoid(h @ W2 + b2)
    d_out = (o - t) * o * (1 - o)
    W2_new = W2 - eta * np.outer(h, d_out)
    d_h = h * (1 - h) * (W2_new @ d_out)
    return W1 - eta * np.outer(x, d_h), b1 - eta * d_h, W2_new, b2 - eta * d_out




def _tanh_step(x, t, W1, b1, W2, b2, eta, hidden_slope=lambda h: 1 - h**2,
               output_slope=lambda o: o * (1 - o), updated_W2=False, eta_sign=1.0):
    h = np.tanh(x @ W1 + b1)
    o = _sigmoid(h @ W2 + b2)
    d_out = (o - t) * output_slope(o)
    W2_new = W2 - eta_sign * eta * np.outer(h, d_out)
    d_h = hidden_slope(h) * ((W2_new if updated_W2 else W2) @ d_out)
    return (W1 - eta_sign * eta * np.outer(x, d_h), b1 - eta_sign * eta * d_h,
            W2_new, b2 - eta_sign * eta * d_out)
