# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: -jupytext.text_representation
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 神经机器翻译 (Neural machine translation)
#
# Book section 10 (release 0.6). An encoder-decoder with attention translates short French
# sentences into English. The encoder, a GRU, reads the French words; the decoder, a GRU
# of two layers, writes English words one at a time, and at each step an attention network
# weighs the encoder's outputs to decide which French words to look at. The data is the
# book's 20 sentence pairs, so this shows the mechanics, not a useful translator.

# %% tags=["parameters"]
epochs = 50                # passes over the sentence pairs
epoch_period = 10          # print the loss and the translations every this many epochs (and after the first)
learning_rate = 0.005      # Adam's step size, for each of the three networks
max_seq_len = 5            # longest input or output sequence, EOS included; longer pairs are left out
encoder_num_layers = 1     # GRU layers of the encoder
decoder_num_layers = 2     # GRU layers of the decoder
encoder_drop_prob = 0.1    # dropout probability in the encoder
decoder_drop_prob = 0.1    # dropout probability in the decoder
encoder_hidden_dim = 256   # hidden units of the encoder GRU (and its word-vector size)
decoder_hidden_dim = 256   # hidden units of the decoder GRU (and its word-vector size)
alignment_dim = 25         # hidden units of the attention network
ctx = "cpu"                # device: the book's cpu, or auto (a GPU if one works), gpu or gpu:N
seed = 1                   # seeds random, numpy and mx.random
out = "out/nmt"            # folder for the figure this section writes

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## Encoder-decoder with attention in Gluon
# The packages.

# %%
import mxnet as mx
from mxnet import autograd, gluon, nd
from mxnet.gluon import nn, rnn, Block
from mxnet.contrib import text

import collections
import datetime

# %% [markdown]
# Three special tokens: PAD fills a sequence up to `max_seq_len`, BOS is the decoder's first
# input, EOS ends a sequence.

# %%
PAD = '<pad>'
BOS = '<bos>'
EOS = '<eos>'

# %% [markdown]
# ### Reading the data
# Each line is a French sentence, a tab, and its English translation, words separated by
# spaces. A pair is kept when both sides have fewer than `max_seq_len` words; EOS is
# appended and PAD fills up to `max_seq_len`. `mxnet.contrib.text` builds a vocabulary for
# each language (index 0 is the unknown token, then the reserved tokens).

# %%
from gluon_tutorials.data import read_fr_en_small


def read_data(max_seq_len):
    input_tokens = []
    output_tokens = []
    input_seqs = []
    output_seqs = []

    # The book opens ../data/fr-en-small.txt; the data layer finds the file and checks it.
    lines = read_fr_en_small().splitlines()
    for line in lines:
        input_seq, output_seq = line.rstrip().split('\t')
        cur_input_tokens = input_seq.split(' ')
        cur_output_tokens = output_seq.split(' ')

        if len(cur_input_tokens) < max_seq_len and \
                len(cur_output_tokens) < max_seq_len:
            input_tokens.extend(cur_input_tokens)
            # EOS ends the sentence
            cur_input_tokens.append(EOS)
            # PAD makes every sequence max_seq_len long
            while len(cur_input_tokens) < max_seq_len:
                cur_input_tokens.append(PAD)
            input_seqs.append(cur_input_tokens)
            output_tokens.extend(cur_output_tokens)
            cur_output_tokens.append(EOS)
            while len(cur_output_tokens) < max_seq_len:
                cur_output_tokens.append(PAD)
            output_seqs.append(cur_output_tokens)

    fr_vocab = text.vocab.Vocabulary(collections.Counter(input_tokens),
                                     reserved_tokens=[PAD, BOS, EOS])
    en_vocab = text.vocab.Vocabulary(collections.Counter(output_tokens),
                                     reserved_tokens=[PAD, BOS, EOS])
    return fr_vocab, en_vocab, input_seqs, output_seqs


# %% [markdown]
# The training set: one row of word indices per sentence, French in `X`, English in `Y`.

# %%
input_vocab, output_vocab, input_seqs, output_seqs = read_data(max_seq_len)
if not input_seqs:
    raise ValueError(f"no sentence pair has fewer than max_seq_len = {max_seq_len} words on "
                     f"both sides: nothing to train on")
X = nd.zeros((len(input_seqs), max_seq_len), ctx=ctx)
Y = nd.zeros((len(output_seqs), max_seq_len), ctx=ctx)
for i in range(len(input_seqs)):
    X[i] = nd.array(input_vocab.to_indices(input_seqs[i]), ctx=ctx)
    Y[i] = nd.array(output_vocab.to_indices(output_seqs[i]), ctx=ctx)

dataset = gluon.data.ArrayDataset(X, Y)
print('pairs:', len(input_seqs), 'French words:', len(input_vocab),
      'English words:', len(output_vocab))


# %% [markdown]
# ### Encoder, decoder with attention, and the decoder's initial state
# The encoder embeds each French word and runs a GRU over the sentence.

# %%
class Encoder(Block):
    """The encoder"""
    def __init__(self, input_dim, hidden_dim, num_layers, drop_prob):
        super(Encoder, self).__init__()
        with self.name_scope():
            self.embedding = nn.Embedding(input_dim, hidden_dim)
            self.dropout = nn.Dropout(drop_prob)
            self.rnn = rnn.GRU(hidden_dim, num_layers, dropout=drop_prob,
                               input_size=hidden_dim)

    def forward(self, inputs, state):
        # inputs: (1, num_steps); emb: (num_steps, 1, hidden_dim)
        emb = self.embedding(inputs).swapaxes(0, 1)
        emb = self.dropout(emb)
        output, state = self.rnn(emb, state)
        return output, state

    def begin_state(self, *args, **kwargs):
        return self.rnn.begin_state(*args, **kwargs)


# %% [markdown]
# The decoder takes one English word a step. Attention: a small dense network scores each
# encoder output against the decoder's top-layer state, a softmax over the `max_seq_len`
# positions turns the scores into weights, and the weighted sum of the encoder outputs (the
# context) is joined to the word's embedding before the GRU.

# %%
class Decoder(Block):
    """The decoder with attention"""
    def __init__(self, hidden_dim, output_dim, num_layers, max_seq_len,
                 drop_prob, alignment_dim, encoder_hidden_dim):
        super(Decoder, self).__init__()
        self.max_seq_len = max_seq_len
        self.encoder_hidden_dim = encoder_hidden_dim
        self.hidden_size = hidden_dim
        self.num_layers = num_layers
        with self.name_scope():
            self.embedding = nn.Embedding(output_dim, hidden_dim)
            self.dropout = nn.Dropout(drop_prob)
            # the attention network
            self.attention = nn.Sequential()
            with self.attention.name_scope():
                self.attention.add(nn.Dense(
                    alignment_dim, in_units=hidden_dim + encoder_hidden_dim,
                    activation="tanh", flatten=False))
                self.attention.add(nn.Dense(1, in_units=alignment_dim,
                                            flatten=False))

            self.rnn = rnn.GRU(hidden_dim, num_layers, dropout=drop_prob,
                               input_size=hidden_dim)
            self.out = nn.Dense(output_dim, in_units=hidden_dim)
            self.rnn_concat_input = nn.Dense(
                hidden_dim, in_units=hidden_dim + encoder_hidden_dim,
                flatten=False)

    def forward(self, cur_input, state, encoder_outputs):
        # with several layers, the state of the layer nearest the output
        single_layer_state = [state[0][-1].expand_dims(0)]
        encoder_outputs = encoder_outputs.reshape((self.max_seq_len, 1,
                                                   self.encoder_hidden_dim))
        # single_layer_state: [(1, 1, decoder_hidden_dim)]
        # hidden_broadcast: (max_seq_len, 1, decoder_hidden_dim)
        hidden_broadcast = nd.broadcast_axis(single_layer_state[0], axis=0,
                                             size=self.max_seq_len)

        # (max_seq_len, 1, encoder_hidden_dim + decoder_hidden_dim)
        encoder_outputs_and_hiddens = nd.concat(encoder_outputs,
                                                hidden_broadcast, dim=2)

        # energy: (max_seq_len, 1, 1)
        energy = self.attention(encoder_outputs_and_hiddens)

        batch_attention = nd.softmax(energy, axis=0).reshape(
            (1, 1, self.max_seq_len))

        # batch_encoder_outputs: (1, max_seq_len, encoder_hidden_dim)
        batch_encoder_outputs = encoder_outputs.swapaxes(0, 1)

        # decoder_context: (1, 1, encoder_hidden_dim)
        decoder_context = nd.batch_dot(batch_attention, batch_encoder_outputs)

        # input_and_context: (1, 1, encoder_hidden_dim + decoder_hidden_dim)
        input_and_context = nd.concat(self.embedding(cur_input).reshape(
            (1, 1, self.hidden_size)), decoder_context, dim=2)
        # concat_input: (1, 1, decoder_hidden_dim)
        concat_input = self.rnn_concat_input(input_and_context)
        concat_input = self.dropout(concat_input)

        # with several layers, every layer starts from the top layer's state
        state = [nd.broadcast_axis(single_layer_state[0], axis=0,
                                   size=self.num_layers)]

        output, state = self.rnn(concat_input, state)
        output = self.dropout(output)
        output = self.out(output)
        # output: (1, output_dim); state: [(num_layers, 1, decoder_hidden_dim)]
        return output, state

    def begin_state(self, *args, **kwargs):
        return self.rnn.begin_state(*args, **kwargs)


# %% [markdown]
# The decoder's first state is the encoder's last state passed through a dense layer.

# %%
class DecoderInitState(Block):
    """The decoder's initial hidden state"""
    def __init__(self, encoder_hidden_dim, decoder_hidden_dim):
        super(DecoderInitState, self).__init__()
        with self.name_scope():
            self.dense = nn.Dense(decoder_hidden_dim,
                                  in_units=encoder_hidden_dim,
                                  activation="tanh", flatten=False)

    def forward(self, encoder_state):
        return [self.dense(encoder_state)]


# %% [markdown]
# ### Training and using the model
# `translate` encodes a French sentence, starts the decoder from BOS and feeds each
# predicted word back in until it predicts EOS (or has written `max_seq_len` words).
# It prints the book's Input / Output / Expect lines and, in this port, also returns the
# outputs.

# %%
def translate(encoder, decoder, decoder_init_state, fr_ens, ctx, max_seq_len):
    outputs = []
    for fr_en in fr_ens:
        print('Input :', fr_en[0])
        input_tokens = fr_en[0].split(' ') + [EOS]
        # PAD makes every sequence max_seq_len long
        while len(input_tokens) < max_seq_len:
            input_tokens.append(PAD)
        inputs = nd.array(input_vocab.to_indices(input_tokens), ctx=ctx)
        encoder_state = encoder.begin_state(func=mx.nd.zeros, batch_size=1,
                                            ctx=ctx)
        encoder_outputs, encoder_state = encoder(inputs.expand_dims(0),
                                                 encoder_state)
        encoder_outputs = encoder_outputs.flatten()
        # the decoder's first input is BOS
        decoder_input = nd.array([output_vocab.token_to_idx[BOS]], ctx=ctx)
        decoder_state = decoder_init_state(encoder_state[0])
        output_tokens = []

        for i in range(max_seq_len):
            decoder_output, decoder_state = decoder(
                decoder_input, decoder_state, encoder_outputs)
            pred_i = int(decoder_output.argmax(axis=1).asscalar())
            # the sentence ends at the first EOS
            if pred_i == output_vocab.token_to_idx[EOS]:
                break
            else:
                output_tokens.append(output_vocab.idx_to_token[pred_i])
            decoder_input = nd.array([pred_i], ctx=ctx)

        print('Output:', ' '.join(output_tokens))
        print('Expect:', fr_en[1], '\n')
        outputs.append(' '.join(output_tokens))
    return outputs


# %% [markdown]
# Training, one sentence pair at a time, with an Adam trainer for each of the three
# networks. The decoder's input at each step is its own prediction of the step before (not
# the true word). The loss printed is the summed cross-entropy over the decoded words,
# divided by `max_seq_len`, averaged over the pairs and the epochs since the last line.
# This port also keeps each epoch's loss in `epoch_losses` and the printed ones in
# `losses`, and the translations of the last printout in `translations`.

# %%
epoch_losses, losses, translations = [], [], []


def train(encoder, decoder, decoder_init_state, max_seq_len, ctx, eval_fr_ens):
    global translations
    # each network: its parameters initialized, its own optimizer
    encoder.collect_params().initialize(mx.init.Xavier(), ctx=ctx)
    decoder.collect_params().initialize(mx.init.Xavier(), ctx=ctx)
    decoder_init_state.collect_params().initialize(mx.init.Xavier(), ctx=ctx)
    encoder_optimizer = gluon.Trainer(encoder.collect_params(), 'adam',
                                      {'learning_rate': learning_rate})
    decoder_optimizer = gluon.Trainer(decoder.collect_params(), 'adam',
                                      {'learning_rate': learning_rate})
    decoder_init_state_optimizer = gluon.Trainer(
        decoder_init_state.collect_params(), 'adam',
        {'learning_rate': learning_rate})

    softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()

    prev_time = datetime.datetime.now()
    data_iter = gluon.data.DataLoader(dataset, 1, shuffle=True)

    total_loss = 0.0
    for e in runtime.epochs(epochs):
        epoch = e + 1  # the book counts epochs from 1
        epoch_loss = 0.0
        for x, y in data_iter:
            with autograd.record():
                loss = nd.array([0], ctx=ctx)
                encoder_state = encoder.begin_state(
                    func=mx.nd.zeros, batch_size=1, ctx=ctx)
                encoder_outputs, encoder_state = encoder(x, encoder_state)

                # encoder_outputs: (max_seq_len, encoder_hidden_dim)
                encoder_outputs = encoder_outputs.flatten()
                # the decoder's first input is BOS
                decoder_input = nd.array([output_vocab.token_to_idx[BOS]],
                                         ctx=ctx)
                decoder_state = decoder_init_state(encoder_state[0])
                for i in range(max_seq_len):
                    decoder_output, decoder_state = decoder(
                        decoder_input, decoder_state, encoder_outputs)
                    # the decoder's next input is its own prediction
                    decoder_input = nd.array(
                        [decoder_output.argmax(axis=1).asscalar()], ctx=ctx)
                    loss = loss + softmax_cross_entropy(decoder_output, y[0][i])
                    if y[0][i].asscalar() == output_vocab.token_to_idx[EOS]:
                        break

            loss.backward()
            encoder_optimizer.step(1)
            decoder_optimizer.step(1)
            decoder_init_state_optimizer.step(1)
            total_loss += loss.asscalar() / max_seq_len
            epoch_loss += loss.asscalar() / max_seq_len

        epoch_losses.append(epoch_loss / len(data_iter))
        # per word; an untrained decoder guesses each English word alike
        runtime.check_loss(epoch_losses[-1], runtime.chance_loss(len(output_vocab)), learning_rate)
        if epoch % epoch_period == 0 or epoch == 1:
            cur_time = datetime.datetime.now()
            h, remainder = divmod((cur_time - prev_time).seconds, 3600)
            m, s = divmod(remainder, 60)
            time_str = 'Time %02d:%02d:%02d' % (h, m, s)
            if epoch == 1:
                print_loss_avg = total_loss / len(data_iter)
            else:
                print_loss_avg = total_loss / epoch_period / len(data_iter)
            losses.append(print_loss_avg)
            loss_str = 'Epoch %d, Loss %f, ' % (epoch, print_loss_avg)
            print(loss_str + time_str)
            if epoch != 1:
                total_loss = 0.0
            prev_time = cur_time

            translations = translate(encoder, decoder, decoder_init_state,
                                     eval_fr_ens, ctx, max_seq_len)


# %% [markdown]
# The three networks.

# %%
encoder = Encoder(len(input_vocab), encoder_hidden_dim, encoder_num_layers,
                  encoder_drop_prob)
decoder = Decoder(decoder_hidden_dim, len(output_vocab),
                  decoder_num_layers, max_seq_len, decoder_drop_prob,
                  alignment_dim, encoder_hidden_dim)
decoder_init_state = DecoderInitState(encoder_hidden_dim, decoder_hidden_dim)

# %% [markdown]
# The book's two test sentences, both in the training set. Input, Output and Expect are the
# French sentence, the model's translation and the true one. Early on the outputs are
# repeated common words; by epoch 50 they are usually the expected sentences (watch for
# "she is" and "they are" coming first). The book's exercises: a larger corpus (Tatoeba,
# WMT), other parameters, and teacher forcing (feed the true word, `y[0][i]`, as the next
# input in training).

# %%
eval_fr_ens = [['elle est japonaise .', 'she is japanese .'],
               ['ils regardent .', 'they are watching .']]
for fr, en in eval_fr_ens:
    # the encoder's attention reads exactly max_seq_len positions
    if len(fr.split(' ')) >= max_seq_len:
        raise ValueError(f"{fr!r} has {len(fr.split(' '))} words: a test sentence needs "
                         f"fewer than max_seq_len = {max_seq_len}")
train(encoder, decoder, decoder_init_state, max_seq_len, ctx, eval_fr_ens)
final_loss = losses[-1]

# %% [markdown]
# The loss of every epoch.

# %%
from gluon_tutorials import plotting

fig, axes = plotting.subplots(1, 1, figsize=(4, 3))
axes[0, 0].plot(range(1, len(epoch_losses) + 1), epoch_losses)
axes[0, 0].set_xlabel("epoch")
axes[0, 0].set_ylabel("loss")
axes[0, 0].set_yscale("log")
plotting.save(fig, f"{out}/loss.png")
