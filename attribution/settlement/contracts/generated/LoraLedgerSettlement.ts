// generated, do not edit: `npm run build:contracts` writes this from LoraLedgerSettlement.sol
// (solc 0.8.30+commit.73712a01.Emscripten.clang, {"optimizer":{"enabled":true,"runs":200},"evmVersion":"cancun"}, @openzeppelin/contracts 5.7.0)

export const LoraLedgerSettlementAbi = [
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster_",
        "type": "address"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "constructor"
  },
  {
    "inputs": [],
    "name": "EmptyRecordsRoot",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "expected",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "got",
        "type": "uint64"
      }
    ],
    "name": "EpochOutOfOrder",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "InvalidProof",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NotPoster",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NothingToClaim",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "owner",
        "type": "address"
      }
    ],
    "name": "OwnableInvalidOwner",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      }
    ],
    "name": "OwnableUnauthorizedAccount",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ReentrancyGuardReentrantCall",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "TransferFailed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "expected",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "sent",
        "type": "uint256"
      }
    ],
    "name": "WrongFunding",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ZeroAddress",
    "type": "error"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "paid",
        "type": "uint256"
      }
    ],
    "name": "Claimed",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "recordsRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "payoutRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "total",
        "type": "uint256"
      }
    ],
    "name": "EpochPosted",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousOwner",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "OwnershipTransferred",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousPoster",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newPoster",
        "type": "address"
      }
    ],
    "name": "PosterChanged",
    "type": "event"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "internalType": "bytes32[]",
        "name": "proof",
        "type": "bytes32[]"
      }
    ],
    "name": "claim",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "internalType": "bytes32[]",
        "name": "proof",
        "type": "bytes32[]"
      }
    ],
    "name": "claimable",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "name": "claimed",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "latestEpoch",
    "outputs": [
      {
        "internalType": "uint64",
        "name": "",
        "type": "uint64"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "owner",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "payoutRoot",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      }
    ],
    "name": "payoutRootOf",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "recordsRoot_",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "payoutRoot_",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "total",
        "type": "uint256"
      }
    ],
    "name": "postEpoch",
    "outputs": [],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "poster",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      }
    ],
    "name": "recordsRoot",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "renounceOwnership",
    "outputs": [],
    "stateMutability": "pure",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "setOwner",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newPoster",
        "type": "address"
      }
    ],
    "name": "setPoster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "transferOwnership",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  }
] as const;

export const LoraLedgerSettlementBytecode = '0x608060405234801561000f575f5ffd5b50604051610c45380380610c4583398101604081905261002e91610145565b338061005357604051631e4fbdf760e01b81525f600482015260240160405180910390fd5b61005c816100f6565b5060017f9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00556001600160a01b0381166100a85760405163d92e233d60e01b815260040160405180910390fd5b600180546001600160a01b0319166001600160a01b0383169081179091556040515f907f32487a31d5a41d672510a2a1aa50e214e52d5d25fd9a9e94dfa66f4349f8840f908290a350610172565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b5f60208284031215610155575f5ffd5b81516001600160a01b038116811461016b575f5ffd5b9392505050565b610ac68061017f5f395ff3fe6080604052600436106100d9575f3560e01c80638da5cb5b1161007c578063c884ef8311610057578063c884ef831461026f578063e8e247341461029a578063f2fde38b146102b9578063fb346458146102d8575f5ffd5b80638da5cb5b146101e15780639cb118bf146101fd578063b7667cf41461023b575f5ffd5b80636afa51c5116100b75780636afa51c514610130578063715018a61461017757806373bbb71c1461018b57806380959721146101aa575f5ffd5b806313af4035146100dd5780633d13f874146100fe57806345abe9801461011d575b5f5ffd5b3480156100e8575f5ffd5b506100fc6100f7366004610934565b6102ed565b005b348015610109575f5ffd5b506100fc61011836600461094d565b6102f9565b6100fc61012b3660046109e7565b610462565b34801561013b575f5ffd5b5061016461014a366004610a1d565b6001600160401b03165f9081526004602052604090205490565b6040519081526020015b60405180910390f35b348015610182575f5ffd5b506100fc6105f4565b348015610196575f5ffd5b506100fc6101a5366004610934565b61060f565b3480156101b5575f5ffd5b506001546101c9906001600160a01b031681565b6040516001600160a01b03909116815260200161016e565b3480156101ec575f5ffd5b505f546001600160a01b03166101c9565b348015610208575f5ffd5b5060015461022390600160a01b90046001600160401b031681565b6040516001600160401b03909116815260200161016e565b348015610246575f5ffd5b50610164610255366004610a1d565b6001600160401b03165f9081526003602052604090205490565b34801561027a575f5ffd5b50610164610289366004610934565b60056020525f908152604090205481565b3480156102a5575f5ffd5b506101646102b436600461094d565b610699565b3480156102c4575f5ffd5b506100fc6102d3366004610934565b6106ec565b3480156102e3575f5ffd5b5061016460025481565b6102f6816106ec565b50565b610301610726565b61030d82828686610754565b61032a576040516309bde33960e01b815260040160405180910390fd5b6001600160a01b0384165f90815260056020526040902054808411610362576040516312d37ee560e31b815260040160405180910390fd5b5f61036d8286610a4a565b6001600160a01b0387165f81815260056020526040808220899055519293509183908381818185875af1925050503d805f81146103c5576040519150601f19603f3d011682016040523d82523d5f602084013e6103ca565b606091505b50509050806103ec576040516312171d8360e31b815260040160405180910390fd5b60408051878152602081018490526001600160a01b038916917f987d620f307ff6b94d58743cb7a7509f24071586a77759b77c2d4e29f75a2f9a910160405180910390a250505061045c60017f9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f0055565b50505050565b6001546001600160a01b0316331461048d57604051630edd024760e11b815260040160405180910390fd5b600160149054906101000a90046001600160401b031660016104af9190610a5d565b6001600160401b0316846001600160401b03161461051b57600160149054906101000a90046001600160401b031660016104e99190610a5d565b604051632abeb08d60e21b81526001600160401b03918216600482015290851660248201526044015b60405180910390fd5b8261053957604051636cbee87960e01b815260040160405180910390fd5b803414610562576040516346da3a2760e01b815260048101829052346024820152604401610512565b6001805467ffffffffffffffff60a01b1916600160a01b6001600160401b038716908102919091179091555f8181526003602090815260408083208790556004825291829020859055600285905581518681529081018590529081018390527fd20955c77c40bde48f62e7ca25f52b4f326eb23b8bdca87d87f3bb54984b99809060600160405180910390a250505050565b604051631e4fbdf760e01b81525f6004820152602401610512565b6106176107d1565b6001600160a01b03811661063e5760405163d92e233d60e01b815260040160405180910390fd5b6001546040516001600160a01b038084169216907f32487a31d5a41d672510a2a1aa50e214e52d5d25fd9a9e94dfa66f4349f8840f905f90a3600180546001600160a01b0319166001600160a01b0392909216919091179055565b5f6106a683838787610754565b6106b157505f6106e4565b6001600160a01b0385165f908152600560205260409020548085116106d6575f6106e0565b6106e08186610a4a565b9150505b949350505050565b6106f46107d1565b6001600160a01b03811661071d57604051631e4fbdf760e01b81525f6004820152602401610512565b6102f6816107ff565b61072e61084e565b60027f9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f0055565b6002545f9080610767575f9150506106e4565b604080516001600160a01b03861660208201529081018490525f9060600160408051601f19818403018152828252805160209182012090830152016040516020818303038152906040528051906020012090506107c687878484610890565b979650505050505050565b5f546001600160a01b031633146107fd5760405163118cdaa760e01b8152336004820152602401610512565b565b5f80546001600160a01b038381166001600160a01b0319831681178455604051919092169283917f8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e09190a35050565b7f9b779b17422d0df92223018b32b4d1fa46e071723d6817e2486d003becc55f00546002036107fd57604051633ee5aeb560e01b815260040160405180910390fd5b5f8261089d8686856108a7565b1495945050505050565b5f81815b848110156108df576108d5828787848181106108c9576108c9610a7c565b905060200201356108e8565b91506001016108ab565b50949350505050565b5f818310610902575f828152602084905260409020610910565b5f8381526020839052604090205b90505b92915050565b80356001600160a01b038116811461092f575f5ffd5b919050565b5f60208284031215610944575f5ffd5b61091082610919565b5f5f5f5f60608587031215610960575f5ffd5b61096985610919565b93506020850135925060408501356001600160401b0381111561098a575f5ffd5b8501601f8101871361099a575f5ffd5b80356001600160401b038111156109af575f5ffd5b8760208260051b84010111156109c3575f5ffd5b949793965060200194505050565b80356001600160401b038116811461092f575f5ffd5b5f5f5f5f608085870312156109fa575f5ffd5b610a03856109d1565b966020860135965060408601359560600135945092505050565b5f60208284031215610a2d575f5ffd5b610910826109d1565b634e487b7160e01b5f52601160045260245ffd5b8181038181111561091357610913610a36565b6001600160401b03818116838216019081111561091357610913610a36565b634e487b7160e01b5f52603260045260245ffdfea26469706673582212204f0211fd78f458d47352dcb331c05be0547edddb02a0f5a6ea5416ed967c6c8564736f6c634300081e0033' as const;
