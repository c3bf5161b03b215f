"""glassgrad.nn: modules, layers, activations, losses and initialisation (PyTorch names)."""

# fmt: off
from glassgrad.nn import functional, init  # noqa: I001 (one compact name table)
from glassgrad.nn.activations import (
    ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh,
)
from glassgrad.nn.layers import (
    MLP, RNN, AvgPool2d, BatchNorm1d, Conv2d, Dropout, Embedding, Flatten, Identity, LayerNorm,
    Linear, MaxPool2d,
)
from glassgrad.nn.losses import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
)
from glassgrad.nn.interop import to_torch
from glassgrad.nn.lora import LoRALinear, lora_param_count
from glassgrad.nn.module import Module, ModuleList, Parameter, Sequential

F = functional

__all__ = [
    "functional", "F", "init", "Module", "Parameter", "Sequential", "ModuleList", "Identity",
    "Linear", "MLP", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "Embedding",
    "LayerNorm", "BatchNorm1d", "RNN", "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh",
    "Softplus", "SiLU", "Softmax", "LogSoftmax", "MSELoss", "L1Loss", "HuberLoss",
    "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "LoRALinear",
    "lora_param_count", "to_torch",
]
# fmt: on
